using System;
using System.Linq;
using ModelDsl.Training;
using Quickstart;

namespace Serving;

/// <summary>A small VideoRanker trained on synthetic impressions, so the server runs without a model file.</summary>
public static class DemoModel
{
    /// <summary>Trains for a few seconds and exports the model to <paramref name="path"/>.</summary>
    public static void TrainAndExport(string path)
    {
        var random = new Random(5);
        var samples = Enumerable.Range(0, 20_000).Select(_ =>
        {
            var (user, video, hour) = (random.Next(500), random.Next(300), random.Next(24));
            var age = (float)(random.NextDouble() * 60);
            var quality = video % 7 / 3.0 - 1;
            var logit = -1 + quality + (user % 5 - 2) / 4.0 + (hour >= 18 ? 0.5 : 0) - age / 60;
            return new VideoRanker
            {
                UserId = user,
                VideoId = video,
                HourOfDay = hour,
                VideoAgeDays = age,
                Click = random.NextDouble() < 1 / (1 + Math.Exp(-logit)),
                WatchMinutes = (float)(3 + 1.5 * quality + 0.5 * random.NextDouble()),
            };
        }).ToList();
        using var trainer = new VideoRanker.Trainer(new TrainingOptions { Epochs = 2, BatchSize = 512, LearningRate = 5e-3 });
        trainer.Fit(samples);
        trainer.ExportOnnx(path);
    }
}
