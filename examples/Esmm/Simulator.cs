using System;
using System.Collections.Generic;

namespace Esmm;

/// <summary>One impression: what is observed, and the true probabilities behind it.</summary>
/// <param name="Converted">Whether the user converted; observed only when <paramref name="Clicked"/>.</param>
/// <param name="WouldConvert">The conversion the user would make if they clicked, drawn on every impression: the ground truth to score a CVR estimate on the entire space.</param>
public sealed record Impression(int User, int Item, float Price, bool Clicked, bool Converted, bool WouldConvert,
    double TrueCtr, double TrueCvr);

/// <summary>
/// An e-commerce impression log carrying ESMM's two problems (Ma et al., SIGIR 2018):
/// <list type="bullet">
/// <item>Sample selection bias: conversions are observed only after a click, and clicks favour popular,
/// good items and active users, so clicked impressions are not a sample of the whole space.
/// Click and conversion share drivers (item quality q, user–item match m).</item>
/// <item>Sparsity: many user and item ids, a click rate of a few percent, conversions rarer still.</item>
/// </list>
/// Users: activity a ~ N(0, 1), taste t ~ N(0, I₄); items: popularity π ~ N(0, 1), quality q ~ N(0, 1),
/// topic v ~ N(0, I₄), price ~ U(0, 1) per impression, m = t·v / 2.
///   CTR = σ(−4.2 + 0.6·a + 0.6·π + 1.0·q + 0.3·m)
///   CVR = σ(−1.8 + 1.5·q + 0.5·m − 1.5·price + 0.3·a)    (conversion given click)
/// With 20,000 items, a typical item is clicked about once in the training log: a CVR model trained on
/// clicks alone cannot learn item quality, while the click task sees every impression and carries
/// quality into the embeddings ESMM shares.
/// </summary>
public sealed class Simulator
{
    public const int Users = 20_000;
    public const int Items = 20_000;

    private readonly double[] _activity = new double[Users];
    private readonly double[][] _taste = new double[Users][];
    private readonly double[] _popularity = new double[Items];
    private readonly double[] _quality = new double[Items];
    private readonly double[][] _topic = new double[Items][];

    public Simulator(int seed)
    {
        var random = new Random(seed);
        for (var u = 0; u < Users; u++)
            (_activity[u], _taste[u]) = (Normal(random), Vector(random));
        for (var i = 0; i < Items; i++)
            (_popularity[i], _quality[i], _topic[i]) = (Normal(random), Normal(random), Vector(random));
    }

    public List<Impression> Impressions(int count, int seed)
    {
        var random = new Random(seed);
        var log = new List<Impression>(count);
        for (var n = 0; n < count; n++)
        {
            int user = random.Next(Users), item = random.Next(Items);
            var price = (float)random.NextDouble();
            var match = 0.5 * Dot(_taste[user], _topic[item]);
            var ctr = Sigmoid(-4.2 + 0.6 * _activity[user] + 0.6 * _popularity[item] + 1.0 * _quality[item] + 0.3 * match);
            var cvr = Sigmoid(-1.8 + 1.5 * _quality[item] + 0.5 * match - 1.5 * price + 0.3 * _activity[user]);
            var clicked = random.NextDouble() < ctr;
            var wouldConvert = random.NextDouble() < cvr;
            log.Add(new Impression(user, item, price, clicked, clicked && wouldConvert, wouldConvert, ctr, cvr));
        }
        return log;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];

    private static double[] Vector(Random random) => [Normal(random), Normal(random), Normal(random), Normal(random)];

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
