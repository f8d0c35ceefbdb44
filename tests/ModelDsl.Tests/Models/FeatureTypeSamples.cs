using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelDsl.Tests.Models;

/// <summary>Synthetic <see cref="FeatureTypesModel"/> samples with a known click probability.</summary>
internal static class FeatureTypeSamples
{
    /// <summary>Click depends on whether the history holds a "liked" item (even id) and on a query.</summary>
    public static List<FeatureTypesModel> Generate(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var recent = Enumerable.Range(0, random.Next(6)).Select(_ => (long)random.Next(40)).ToArray();
            var queries = Enumerable.Range(0, random.Next(5)).Select(_ => random.Next(2) == 0 ? "shoes" : $"q{random.Next(50)}").ToArray();
            var sample = new FeatureTypesModel
            {
                ItemId = random.Next(40), RecentItems = recent, Tags = Enumerable.Range(0, random.Next(5)).Select(_ => random.Next(30)).ToArray(),
                Queries = queries, Country = random.Next(2) == 0 ? "fr" : "de", City = random.Next(15), Device = random.Next(20),
                WatchCount = (float)Math.Exp(random.NextDouble() * 5) - 1, Age = 20 + random.NextDouble() * 40,
                Counts = [random.Next(100), random.Next(3)],
            };
            return sample with { Click = random.NextDouble() < TrueProbability(sample) };
        }).ToList();
    }

    public static double TrueProbability(FeatureTypesModel s) =>
        1 / (1 + Math.Exp(-(2.0 * (s.RecentItems.Count(i => i % 4 == 0) + (s.Queries.Contains("shoes") ? 1 : 0)) - 2)));
}
