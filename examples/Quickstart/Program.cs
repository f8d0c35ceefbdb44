// Quick start: describe the data, then train a Shared-Bottom click + watch-time model on synthetic impressions (with a live
// progress bar, and training curves saved as PNG), export it to ONNX, serve it through the generated
// Predictor and compare with the TorchSharp network.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using ModelDsl.Metrics;
using ModelDsl.Training;
using Quickstart;

var clock = Stopwatch.StartNew();
var world = new SyntheticViews(users: 500, videos: 300, seed: 1);
var train = world.Impressions(150_000);
var validation = world.Impressions(20_000);
Console.WriteLine($"{train.Count:N0} training and {validation.Count:N0} validation impressions, click rate {train.Average(s => s.Click ? 1.0 : 0):P1}");

using var trainer = new VideoRanker.Trainer(new TrainingOptions { Epochs = 8, BatchSize = 512, LearningRate = 5e-3, Seed = 42 });
// What the data hold (distinct ids, ids unseen in validation, label balance), with warnings, before training.
Console.Write(trainer.DescribeData(train, validation));
var report = TrainingConsole.Fit(progress => trainer.Fit(train, validation, progress));
Console.WriteLine(report);
foreach (var png in TrainingCurves.Save(report, VideoRanker.Schema, Path.Combine(AppContext.BaseDirectory, "curves")))
    Console.WriteLine($"Saved training curve {png}");

var oracleAuc = BinaryMetrics.ComputeAuc(
    validation.Select(s => (float)world.ClickProbability(s.ToFeatures())).ToArray(),
    validation.Select(s => s.Click).ToArray());
var watch = report.Final["WatchMinutes"];
Console.WriteLine($"Click AUC {report.Final["Click"].Auc:F4}; the true probability reaches {oracleAuc:F4}.");
Console.WriteLine($"Watch-time RMSE {watch.Rmse:F3}; predicting the mean gives {watch.BaselineRmse:F3}, the label noise alone 0.500.");

var modelPath = Path.Combine(AppContext.BaseDirectory, "video-ranker.onnx");
trainer.ExportOnnx(modelPath);
Console.WriteLine($"Exported {modelPath} ({new FileInfo(modelPath).Length / 1024.0:F0} KiB)");

using var predictor = new VideoRanker.Predictor(modelPath);
var candidates = validation.Take(5).Select(s => s.ToFeatures()).ToArray();
var served = new VideoRanker.Prediction[candidates.Length];
predictor.Predict(candidates, served);

// The TorchSharp network the file was exported from, on the same candidates.
var eager = trainer.Predict(candidates);

Console.WriteLine();
Console.WriteLine("candidate                              | ONNX click  torch click | ONNX watch  torch watch | true P(click)");
for (var i = 0; i < candidates.Length; i++)
{
    var c = candidates[i];
    Console.WriteLine($"user {c.UserId,4} video {c.VideoId,4} hour {c.HourOfDay,2} age {c.VideoAgeDays,4:F0}d | {served[i].Click,10:F6} {eager[i].Click,12:F6} | {served[i].WatchMinutes,10:F4} {eager[i].WatchMinutes,12:F4} | {world.ClickProbability(c),8:F4}");
}
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F0} s.");
