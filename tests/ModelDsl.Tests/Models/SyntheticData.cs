using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelDsl.Tests.Models;

/// <summary>
/// Samples with known structure. Each user has a propensity b ~ N(0, 1) and a taste vector u ~ N(0, I₂),
/// each item a quality q ~ N(0, 1) and a vector v ~ N(0, I₂). Then
/// P(click) = σ(−0.5 + 1.2·b + q − price + 0.8·u·v), watch minutes = 2 + q + 0.5·u·v + N(0, 0.3²).
/// Day of week is noise. The true click probability ranks clicks with AUC ≈ 0.85 (see <see cref="Oracle"/>);
/// predicting the mean watch time gives RMSE ≈ 1.2, the label noise alone 0.3.
/// </summary>
internal sealed class SyntheticData
{
    private readonly double[][] _users;
    private readonly double[][] _items;
    private readonly double[] _quality;
    private readonly double[] _propensity;

    public SyntheticData(int seed)
    {
        var random = new Random(seed);
        _users = Enumerable.Range(0, 200).Select(_ => new[] { Normal(random), Normal(random) }).ToArray();
        _items = Enumerable.Range(0, 100).Select(_ => new[] { Normal(random), Normal(random) }).ToArray();
        _quality = Enumerable.Range(0, 100).Select(_ => Normal(random)).ToArray();
        _propensity = Enumerable.Range(0, 200).Select(_ => Normal(random)).ToArray();
    }

    /// <summary>The true click probability of a sample.</summary>
    public double Oracle(ClickWatchModel sample)
    {
        var (user, item) = ((int)sample.UserId, sample.ItemId);
        var affinity = _users[user][0] * _items[item][0] + _users[user][1] * _items[item][1];
        return 1 / (1 + Math.Exp(-(-0.5 + 1.2 * _propensity[user] + _quality[item] - sample.Price + 0.8 * affinity)));
    }

    public List<ClickWatchModel> Samples(int count, int seed)
    {
        var random = new Random(seed);
        var samples = new List<ClickWatchModel>(count);
        for (var n = 0; n < count; n++)
        {
            int user = random.Next(_users.Length), item = random.Next(_items.Length);
            var affinity = _users[user][0] * _items[item][0] + _users[user][1] * _items[item][1];
            var price = (float)random.NextDouble();
            var features = new ClickWatchModel { UserId = user, ItemId = item, DayOfWeek = random.Next(7), Price = price };
            samples.Add(new ClickWatchModel
            {
                UserId = user,
                ItemId = item,
                DayOfWeek = features.DayOfWeek,
                Price = price,
                Click = random.NextDouble() < Oracle(features),
                WatchMinutes = (float)(2 + _quality[item] + 0.5 * affinity + 0.3 * Normal(random)),
            });
        }
        return samples;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
