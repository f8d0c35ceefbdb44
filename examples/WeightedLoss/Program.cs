// YouTube's watch-time weighted logistic regression on a simulated log where clicks are rare and
// watch time differs by video: ranking by the weighted model's odds orders impressions by expected
// watch time; ranking by click probability does not.
using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Metrics;
using ModelDsl.Training;
using WeightedLoss;

// Users have activity a ~ N(0,1); videos a clickbait score b ~ N(0,1) and a depth d ~ N(0,1):
//   P(click) = σ(−3 + 0.7·a + 0.8·b − 0.01·ageDays)        (about 6 % of impressions)
//   watch minutes | click ~ Exp(mean 4·e^(0.8·d − 0.6·b))   (clickbait is clicked, then abandoned)
//   P(like | click) = σ(−1 + d)
// so the expected watch time of an impression, P(click)·E[minutes | click], is what a watch-time
// ranker should order by.
var random = new Random(3);
double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
var activity = Enumerable.Range(0, 2_000).Select(_ => Normal()).ToArray();
var bait = Enumerable.Range(0, 1_000).Select(_ => Normal()).ToArray();
var depth = Enumerable.Range(0, 1_000).Select(_ => Normal()).ToArray();

(WatchTimeRanker Sample, double ExpectedMinutes, double ClickProbability) Impression()
{
    int user = random.Next(activity.Length), video = random.Next(bait.Length);
    var age = (float)(random.NextDouble() * 60);
    var click = 1 / (1 + Math.Exp(-(-3 + 0.7 * activity[user] + 0.8 * bait[video] - 0.01 * age)));
    var meanMinutes = 4 * Math.Exp(0.8 * depth[video] - 0.6 * bait[video]);
    var clicked = random.NextDouble() < click;
    return (new WatchTimeRanker
    {
        UserId = user, VideoId = video, VideoAgeDays = age, Click = clicked,
        WatchMinutes = clicked ? (float)(-meanMinutes * Math.Log(1 - random.NextDouble())) : 0,
        Like = clicked && random.NextDouble() < 1 / (1 + Math.Exp(-(-1 + depth[video]))),
    }, click * meanMinutes, click);
}

var train = Enumerable.Range(0, 300_000).Select(_ => Impression()).ToList();
var test = Enumerable.Range(0, 50_000).Select(_ => Impression()).ToList();
Console.WriteLine($"{train.Count:N0} impressions, click rate {train.Average(s => s.Sample.Click ? 1.0 : 0):P1}, " +
    $"mean watch minutes per click {train.Where(s => s.Sample.Click).Average(s => s.Sample.WatchMinutes):F2}");

var options = new TrainingOptions { Epochs = 4, BatchSize = 512, LearningRate = 3e-3, Seed = 1 };
using var weighted = new WatchTimeRanker.Trainer(options);
Console.WriteLine(weighted.Fit(train.Select(s => s.Sample)));
using var plain = new ClickRanker.Trainer(options);
plain.Fit(train.Select(s => new ClickRanker
{
    UserId = s.Sample.UserId, VideoId = s.Sample.VideoId, VideoAgeDays = s.Sample.VideoAgeDays, Click = s.Sample.Click, Like = s.Sample.Like,
}));

var path = System.IO.Path.Combine(AppContext.BaseDirectory, "watch-time-ranker.onnx");
weighted.ExportOnnx(path);
using var predictor = new WatchTimeRanker.Predictor(path);
var features = test.Select(s => s.Sample.ToFeatures()).ToArray();
var predictions = new WatchTimeRanker.Prediction[features.Length];
predictor.Predict(features, predictions);
var clickOnly = plain.Evaluate(test.Select(s => new ClickRanker
{
    UserId = s.Sample.UserId, VideoId = s.Sample.VideoId, VideoAgeDays = s.Sample.VideoAgeDays, Click = s.Sample.Click, Like = s.Sample.Like,
}));

// How well each score orders impressions by true expected watch time: AUC of telling apart the top
// quarter by expected watch time from the rest, and the watch time a top-10 % cut collects.
var truth = test.Select(s => s.ExpectedMinutes).ToArray();
var top = truth.Order().ElementAt(truth.Length * 3 / 4);
var isTop = truth.Select(t => t >= top).ToArray();
var plainScores = PlainClickProbabilities();
Report("weighted LR odds", predictions.Select(p => p.ClickOdds).ToArray());
Report("click probability", plainScores);
Console.WriteLine($"Mean odds {predictions.Average(p => p.ClickOdds):F3} vs mean expected watch minutes {truth.Average():F3} " +
    $"(odds estimate E[T]/(1 − P(click)); clicks are rare, so the two agree to about {train.Average(s => s.Sample.Click ? 1.0 : 0):P0}).");
Console.WriteLine($"Click AUC of the plain model: {clickOnly[0].Auc:F4}");

void Report(string name, float[] scores)
{
    var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(scores.Length / 10);
    Console.WriteLine($"{name,-18}: top-quarter AUC {BinaryMetrics.ComputeAuc(scores, isTop):F4}, " +
        $"expected watch minutes in the top 10 % {order.Sum(i => truth[i]):N0}");
}

float[] PlainClickProbabilities()
{
    var ids = test.SelectMany(s => new[] { s.Sample.UserId, s.Sample.VideoId }).ToArray();
    var ages = test.Select(s => s.Sample.VideoAgeDays).ToArray();
    using var outputs = plain.Network.Predict(TorchSharp.torch.tensor(ids, [test.Count, 2]), TorchSharp.torch.tensor(ages, [test.Count, 1]));
    var values = outputs.data<float>().ToArray();
    return Enumerable.Range(0, test.Count).Select(i => values[i * 2]).ToArray();
}
