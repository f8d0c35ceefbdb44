using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelDsl.Tests.Models;

/// <summary>
/// A spec with learned vocabularies of raw ids and of strings beside a sized id and a hashed string, so the learned
/// strings' own ONNX input moves the columns after them.
/// </summary>
[MultiTaskModel]
[SharedBottom(16)]
public partial class VocabularyModel
{
    [Categorical(Learned = true, MinCount = 2, MaxSize = 40, Dim = 4)] public long UserId { get; set; }
    [Categorical(Vocabulary = 10, Dim = 4)] public int Slot { get; set; }
    [Categorical(Learned = true, MaxSize = 6, Dim = 3)] public string Country { get; set; } = "";
    [Categorical(Vocabulary = 20, Dim = 3)] public string Query { get; set; } = "";
    [Numeric] public float Price { get; set; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; set; }

    /// <summary>Countries in the data, the first most frequent.</summary>
    public static readonly string[] Countries = ["FR", "DE", "US", "IT", "ES", "NL", "BE", "PL"];

    /// <summary>
    /// Users drawn as 1,000,000 + i² for i below <paramref name="users"/> (raw ids far beyond any table), skewed towards the
    /// first; countries skewed the same way, some with spaces around them; clicks follow the user, the country and the price.
    /// </summary>
    public static List<VocabularyModel> Samples(int count, int seed, int users = 60)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var user = (int)(users * Math.Pow(random.NextDouble(), 2));
            var country = (int)(Countries.Length * Math.Pow(random.NextDouble(), 2));
            var price = (float)random.NextDouble();
            return new VocabularyModel
            {
                UserId = 1_000_000L + (long)user * user,
                Slot = random.Next(10),
                Country = random.Next(4) == 0 ? $" {Countries[country]} " : Countries[country],
                Query = "q" + random.Next(30),
                Price = price,
                Click = (user % 3 == 0) ^ (country % 2 == 0) ^ (price > 0.8),
            };
        })];
    }
}

/// <summary>A learned vocabulary of raw ids only: its predictor feeds ONNX Runtime from pinned memory alone.</summary>
[MultiTaskModel]
[SharedBottom(8)]
public partial class LearnedIdModel
{
    [Categorical(Learned = true, MaxSize = 100, Dim = 4)] public long ItemId { get; set; }
    [Numeric] public float Price { get; set; }

    [BinaryTask] public bool Click { get; set; }
}
