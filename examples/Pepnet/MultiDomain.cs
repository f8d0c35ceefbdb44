using System;
using System.Collections.Generic;
using System.Linq;

namespace PepnetSynthetic;

/// <summary>One impression: its domain, user and item, the two labels and their true probabilities.</summary>
public sealed record Impression(int Domain, int User, int Item, bool Click, bool Like, double ClickProbability, double LikeProbability);

/// <summary>
/// Impressions from three domains whose optima differ. Users have a propensity p and items a quality q, both
/// N(0, 1), and latent vectors a, b ~ N(0, I₄); a domain d weighs each of them differently:
/// P(click) = σ(c_d + α_d·p + β_d·q + Σⱼ s_d[j]·a[j]·b[j]), and P(like) likewise with its own weights. Domain 2
/// reverses what quality means for clicks and a latent dimension that domain 0 rewards, and the domains' traffic
/// is 60 %, 30 % and 10 %, so the smallest domain is the one a shared model fits worst (the paper's domain seesaw).
/// </summary>
public sealed class MultiDomain
{
    public const int Domains = 3;
    public const int Users = 200;
    public const int Items = 200;
    private const int Latent = 4;

    private static readonly double[] Traffic = [0.6, 0.3, 0.1];
    private static readonly double[] ClickBias = [-0.5, -1, -1.5];
    private static readonly double[] LikeBias = [-1.5, -2, -1.5];
    private static readonly double[] ClickPropensity = [1, 0.5, 1];
    private static readonly double[] ClickQuality = [1, 0.5, -1];
    private static readonly double[] LikePropensity = [0.5, 1, 0];
    private static readonly double[] LikeQuality = [1, -0.5, 1];

    private static readonly double[][] ClickWeights =
    [
        [1, 1, 0, 0],
        [0, 1, 1, 0],
        [-1, 0, 0, 1],
    ];

    private static readonly double[][] LikeWeights =
    [
        [1, 0, 0, 1],
        [0, 0, 1, 1],
        [1, -1, 0, 0],
    ];

    private readonly double[][] _users;
    private readonly double[][] _items;
    private readonly double[] _propensity;
    private readonly double[] _quality;

    /// <summary>Draws the users' and items' latent vectors.</summary>
    public MultiDomain(int seed)
    {
        var random = new Random(seed);
        _users = Enumerable.Range(0, Users).Select(_ => Gaussian(random, Latent)).ToArray();
        _items = Enumerable.Range(0, Items).Select(_ => Gaussian(random, Latent)).ToArray();
        _propensity = Gaussian(random, Users);
        _quality = Gaussian(random, Items);
    }

    /// <summary>Impressions drawn with <paramref name="seed"/>: domain by traffic, user and item uniformly.</summary>
    public List<Impression> Impressions(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Impression>(count);
        for (var i = 0; i < count; i++)
        {
            var u = random.Next(Users);
            var v = random.Next(Items);
            var r = random.NextDouble();
            var d = r < Traffic[0] ? 0 : r < Traffic[0] + Traffic[1] ? 1 : 2;
            var click = Sigmoid(ClickBias[d] + ClickPropensity[d] * _propensity[u] + ClickQuality[d] * _quality[v] + Interaction(ClickWeights[d], u, v));
            var like = Sigmoid(LikeBias[d] + LikePropensity[d] * _propensity[u] + LikeQuality[d] * _quality[v] + Interaction(LikeWeights[d], u, v));
            rows.Add(new Impression(d, u, v, random.NextDouble() < click, random.NextDouble() < like, click, like));
        }
        return rows;
    }

    private double Interaction(double[] weights, int user, int item)
    {
        var sum = 0.0;
        for (var j = 0; j < Latent; j++)
            sum += weights[j] * _users[user][j] * _items[item][j];
        return sum;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double[] Gaussian(Random random, int n) =>
        Enumerable.Range(0, n).Select(_ => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray();
}
