using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelDsl.Tests.Models;

/// <summary>One impression with every label the test models use, and the truths behind them.</summary>
internal sealed record SyntheticRow(
    int User, int Item, int DayOfWeek, float Price,
    bool Click, float WatchMinutes, bool Cart, bool Purchase, float WatchSeconds,
    double ClickProbability, double ExpectedWatchSeconds);

/// <summary>
/// Impressions with known structure. Each user has a propensity b ~ N(0, 1) and a taste vector
/// u ~ N(0, I₂), each item a quality q ~ N(0, 1) and a vector v ~ N(0, I₂). Then
/// <list type="bullet">
/// <item>P(click) = σ(−0.5 + 1.2·b + q − price + 0.8·u·v); the true probability ranks clicks with AUC ≈ 0.85;</item>
/// <item>watch minutes = 2 + q + 0.5·u·v + N(0, 0.3²) on every impression (mean baseline RMSE ≈ 1.2);</item>
/// <item>P(cart | click) = σ(−0.5 + q + 0.5·b), P(purchase | cart) = σ(−0.5 + q − price): an ESMM funnel;</item>
/// <item>watch seconds of a click = 60·e^(0.5·q), 0 without a click (YouTube's weight).</item>
/// </list>
/// Day of week is noise.
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

    public List<SyntheticRow> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<SyntheticRow>(count);
        for (var n = 0; n < count; n++)
        {
            int user = random.Next(_users.Length), item = random.Next(_items.Length);
            var affinity = _users[user][0] * _items[item][0] + _users[user][1] * _items[item][1];
            var price = (float)random.NextDouble();
            var p = Sigmoid(-0.5 + 1.2 * _propensity[user] + _quality[item] - price + 0.8 * affinity);
            var click = random.NextDouble() < p;
            var cart = click && random.NextDouble() < Sigmoid(-0.5 + _quality[item] + 0.5 * _propensity[user]);
            var purchase = cart && random.NextDouble() < Sigmoid(-0.5 + _quality[item] - price);
            var secondsIfClicked = 60 * Math.Exp(0.5 * _quality[item]);
            rows.Add(new SyntheticRow(user, item, random.Next(7), price,
                click, (float)(2 + _quality[item] + 0.5 * affinity + 0.3 * Normal(random)), cart, purchase,
                click ? (float)secondsIfClicked : 0, p, p * secondsIfClicked));
        }
        return rows;
    }

    public List<ClickWatchModel> Samples(int count, int seed) =>
        Rows(count, seed).Select(r => new ClickWatchModel
        {
            UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
        }).ToList();

    /// <summary>The true click probability of a sample.</summary>
    public double Oracle(ClickWatchModel sample)
    {
        var (user, item) = ((int)sample.UserId, sample.ItemId);
        var affinity = _users[user][0] * _items[item][0] + _users[user][1] * _items[item][1];
        return Sigmoid(-0.5 + 1.2 * _propensity[user] + _quality[item] - sample.Price + 0.8 * affinity);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
