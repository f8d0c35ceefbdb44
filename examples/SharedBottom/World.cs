using System;
using System.Collections.Generic;

namespace SharedBottom;

/// <summary>One impression and the true like probability behind it.</summary>
public sealed record Impression(int User, int Item, bool Click, bool Like, double LikeProbability);

/// <summary>
/// Users with an affinity a ~ N(0, 1), items with an appeal b ~ N(0, 1). Clicks are common and likes
/// rare, and both follow the same a + b: P(click) = σ(−1 + a + b), P(like) = σ(−5 + 1.5·(a + b)).
/// A like model alone sees a few likes per user and item; sharing embeddings with the click task lets
/// it estimate a and b from every click: the case Shared-Bottom is for.
/// </summary>
public sealed class World
{
    public const int Users = 3_000;
    public const int Items = 1_000;

    private readonly double[][] _users;
    private readonly double[][] _items;

    public World(int seed)
    {
        var random = new Random(seed);
        _users = Vectors(random, Users);
        _items = Vectors(random, Items);
    }

    public List<Impression> Impressions(int count, int seed)
    {
        var random = new Random(seed);
        var log = new List<Impression>(count);
        for (var n = 0; n < count; n++)
        {
            int user = random.Next(Users), item = random.Next(Items);
            var match = _users[user][0] + _items[item][0];
            var like = Sigmoid(-5 + 1.5 * match);
            log.Add(new Impression(user, item, random.NextDouble() < Sigmoid(-1 + match), random.NextDouble() < like, like));
        }
        return log;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double[][] Vectors(Random random, int count)
    {
        var vectors = new double[count][];
        for (var i = 0; i < count; i++)
        {
            vectors[i] = new double[4];
            for (var k = 0; k < 4; k++)
                vectors[i][k] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        }
        return vectors;
    }
}
