using System;
using System.Collections.Generic;

namespace Quickstart;

/// <summary>
/// Impressions drawn from a known process, so the metrics can be read against the truth.
/// Every user has an activity level a ~ N(0, 1) and a taste vector u ~ N(0, I₃); every video a
/// quality q ~ N(0, 1) and a topic vector v ~ N(0, I₃). Evening hours (18–23) add 0.5 to the click logit,
/// and fresh videos are preferred:
///   P(click)       = σ(−1 + a + q + 0.7·u·v + 0.5·evening − 0.3·ageDays/30)
///   watch minutes  = 3 + 1.5·q + 0.8·u·v + N(0, 0.5²)
/// The true probability's AUC is printed next to the model's, and the label noise (0.5) bounds
/// the watch-time RMSE from below.
/// </summary>
internal sealed class SyntheticViews
{
    private readonly double[] _activity;
    private readonly double[][] _taste;
    private readonly double[] _quality;
    private readonly double[][] _topic;
    private readonly Random _random;

    public SyntheticViews(int users, int videos, int seed)
    {
        _random = new Random(seed);
        _activity = Draw(users);
        _taste = DrawVectors(users);
        _quality = Draw(videos);
        _topic = DrawVectors(videos);
    }

    /// <summary>The true click probability of an impression.</summary>
    public double ClickProbability(VideoRanker.Features f)
    {
        var logit = -1 + _activity[f.UserId] + _quality[f.VideoId] + 0.7 * Affinity(f.UserId, f.VideoId)
            + (f.HourOfDay >= 18 ? 0.5 : 0) - 0.3 * f.VideoAgeDays / 30;
        return 1 / (1 + Math.Exp(-logit));
    }

    public List<VideoRanker> Impressions(int count)
    {
        var samples = new List<VideoRanker>(count);
        for (var i = 0; i < count; i++)
        {
            var features = new VideoRanker.Features(
                UserId: _random.Next(_activity.Length),
                VideoId: _random.Next(_quality.Length),
                HourOfDay: _random.Next(24),
                VideoAgeDays: (float)(_random.NextDouble() * 60));
            samples.Add(new VideoRanker
            {
                UserId = features.UserId,
                VideoId = features.VideoId,
                HourOfDay = features.HourOfDay,
                VideoAgeDays = features.VideoAgeDays,
                Click = _random.NextDouble() < ClickProbability(features),
                WatchMinutes = (float)(3 + 1.5 * _quality[features.VideoId] + 0.8 * Affinity(features.UserId, features.VideoId) + 0.5 * Normal()),
            });
        }
        return samples;
    }

    private double Affinity(long user, long video) =>
        _taste[user][0] * _topic[video][0] + _taste[user][1] * _topic[video][1] + _taste[user][2] * _topic[video][2];

    private double[] Draw(int count)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
            values[i] = Normal();
        return values;
    }

    private double[][] DrawVectors(int count)
    {
        var vectors = new double[count][];
        for (var i = 0; i < count; i++)
            vectors[i] = [Normal(), Normal(), Normal()];
        return vectors;
    }

    private double Normal() =>
        Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
}
