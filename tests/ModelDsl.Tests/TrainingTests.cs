using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl.Metrics;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>Determinism, resume, early stopping, optimizers, schedules, progress and learned weights in reports.</summary>
public sealed class TrainingTests : IDisposable
{
    private static readonly SyntheticData Data = new(seed: 7);
    private static readonly List<ClickWatchModel> Train = Data.Samples(4_000, seed: 1);
    private static readonly List<ClickWatchModel> Validation = Data.Samples(1_000, seed: 2);
    private static readonly TrainingOptions Options = new() { Epochs = 4, BatchSize = 128, LearningRate = 1e-2, Seed = 5 };
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-training-").FullName;

    [Fact]
    public void SameSeedGivesIdenticalMetrics()
    {
        var first = Run(Options);
        var second = Run(Options);
        Assert.Equal(Fingerprint(first), Fingerprint(second));
        Assert.NotEqual(Fingerprint(first), Fingerprint(Run(Options with { Seed = 6 })));
    }

    [Theory]
    [InlineData(LossWeightingStrategy.Static)]
    [InlineData(LossWeightingStrategy.GradNorm)]
    [InlineData(LossWeightingStrategy.Uncertainty)]
    [InlineData(LossWeightingStrategy.DynamicWeightAverage)]
    public void ResumedRunEndsExactlyLikeAnUninterruptedOne(LossWeightingStrategy strategy)
    {
        var options = Options with
        {
            LossWeighting = new LossWeightingSettings(strategy),
            Schedule = LearningRateSchedule.Cosine(0.1),
            CheckpointPath = Path.Combine(_folder, $"{strategy}.ckpt"),
        };
        var uninterrupted = Run(options with { CheckpointPath = null });

        using (var crashing = new ClickWatchModel.Trainer(options))
            Assert.Throws<InvalidOperationException>(() => crashing.Fit(Train, Validation, new CrashAfterEpoch(2)));
        using var resumed = new ClickWatchModel.Trainer(options);
        var report = resumed.Fit(Train, Validation, resumeFrom: options.CheckpointPath);

        Assert.Equal(Fingerprint(uninterrupted), Fingerprint(report));
        Assert.Equal(uninterrupted.Final.TaskWeights, report.Final.TaskWeights);
    }

    [Fact]
    public void LearnedWeightsAppearInTheReport()
    {
        var report = Run(Options with { LossWeighting = new LossWeightingSettings(LossWeightingStrategy.Uncertainty) });
        Assert.All(report.Epochs, e => Assert.Equal(2, e.TaskWeights.Count));
        Assert.NotEqual(report.Epochs[0].TaskWeights, report.Final.TaskWeights);
        Assert.NotEqual([1.0, 0.5], report.Final.TaskWeights);
    }

    [Fact]
    public void OptionsOverrideTheWeightingOfTheModel()
    {
        using var trainer = new UncertaintyWeightedModel.Trainer(Options with { Epochs = 3, LossWeighting = new LossWeightingSettings(LossWeightingStrategy.DynamicWeightAverage) });
        var report = trainer.Fit(Train.Select(UncertaintyWeightedModel.From), Validation.Select(UncertaintyWeightedModel.From));
        Assert.Equal([1.0, 1.0], report.Epochs[0].TaskWeights);   // DWA's first epochs, not uncertainty's cₖ·e^(−sₖ)
        Assert.NotEqual([1.0, 1.0], report.Final.TaskWeights);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpoch()
    {
        // A learning rate far too high on a small set: validation AUC peaks early and decays.
        var options = Options with { Epochs = 12, LearningRate = 0.05, EarlyStopping = new EarlyStopping("WatchMinutes", Metric.Rmse, Patience: 2) };
        using var trainer = new ClickWatchModel.Trainer(options);
        var report = trainer.Fit(Data.Samples(1_500, seed: 3), Validation);

        var rmse = report.Epochs.Select(e => e["WatchMinutes"].Rmse!.Value).ToList();
        Assert.Equal(rmse.IndexOf(rmse.Min()) + 1, report.BestEpoch);
        Assert.True(report.Epochs.Count == 12 || report.Epochs.Count == report.BestEpoch + 2, $"stopped after {report.Epochs.Count}, best {report.BestEpoch}");
        Assert.Equal(rmse.Min(), trainer.Evaluate(Validation)[1].Rmse!.Value, 6);
    }

    [Theory]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    [InlineData(OptimizerKind.Adagrad)]
    [InlineData(OptimizerKind.Sgd)]
    public void EveryOptimizerLearns(OptimizerKind optimizer)
    {
        using var trainer = new LinearSignalModel.Trainer(Options with
        {
            Epochs = 5,
            Optimizer = optimizer,
            LearningRate = optimizer switch { OptimizerKind.Sgd => 0.05, OptimizerKind.Adagrad => 0.1, _ => 1e-2 },
            Momentum = optimizer == OptimizerKind.Sgd ? 0.9 : 0,
            WeightDecay = optimizer == OptimizerKind.AdamW ? 0.01 : 0,
            GradientClipNorm = 5,
        });
        var report = trainer.Fit(LinearSignalModel.Samples(4_000, seed: 1), LinearSignalModel.Samples(1_000, seed: 2));
        var y = report.Final["Y"];
        Assert.True(report.Final.TrainLoss < report.Epochs[0].TrainLoss, $"{optimizer}: loss {report.Epochs[0].TrainLoss} → {report.Final.TrainLoss}");
        Assert.True(y.Rmse < 0.2 * y.BaselineRmse, $"{optimizer}: RMSE {y.Rmse} vs mean baseline {y.BaselineRmse}");
        Assert.True(report.Final["Positive"].Auc > 0.75, $"{optimizer}: AUC {report.Final["Positive"].Auc}");
    }

    [Fact]
    public void GradientClippingBoundsTheStep()
    {
        // With plain SGD the step is lr·gradient, so clipping the gradient norm to 1e-9 leaves the weights almost unmoved.
        var samples = LinearSignalModel.Samples(500, seed: 1);
        double Moved(double? clip)
        {
            using var trainer = new LinearSignalModel.Trainer(Options with { Epochs = 1, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, GradientClipNorm = clip });
            var before = trainer.Network.parameters().Select(p => p.detach().clone()).ToList();
            trainer.Fit(samples);
            return trainer.Network.parameters().Zip(before, (after, b) => (after - b).abs().max().item<float>()).Max();
        }
        Assert.True(Moved(1e-9) < 1e-6, $"clipped weights moved {Moved(1e-9)}");
        Assert.True(Moved(null) > 1e-3, $"unclipped weights moved {Moved(null)}");
    }

    [Fact]
    public void GradientClippingScalesTheTablesGradientsLikeTheDenseOnes()
    {
        // One plain SGD step moves each weight by lr·gradient, so clipping shrinks every parameter's move by the
        // same factor: the tables' row-sparse gradients included (LibTorch's clip_grad_norm_ left those unscaled).
        var samples = Train.Take(256).ToList();
        Dictionary<string, double> Moves(double? clip)
        {
            using var trainer = new ClickWatchModel.Trainer(Options with { Epochs = 1, BatchSize = samples.Count, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, GradientClipNorm = clip });
            var before = trainer.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
            trainer.Fit(samples);
            return trainer.Network.named_parameters().ToDictionary(p => p.name, p => (double)(p.parameter - before[p.name]).norm().item<float>());
        }
        var free = Moves(null);
        var clipped = Moves(0.5);
        var factors = free.Where(m => m.Value > 0).ToDictionary(m => m.Key, m => clipped[m.Key] / m.Value);
        Assert.Contains(factors.Keys, name => name.EndsWith("table.weight", StringComparison.Ordinal));
        var dense = factors.Where(f => !f.Key.EndsWith("table.weight", StringComparison.Ordinal)).Select(f => f.Value).Average();
        Assert.True(dense < 0.5, $"clipping to 0.5 scaled the dense gradients by {dense}");
        Assert.All(factors, f => Assert.True(Math.Abs(f.Value - dense) < 0.02 * dense, $"{f.Key} moved {f.Value} of its unclipped step; the dense layers {dense}"));
    }

    [Fact]
    public void SchedulesSetTheEpochLearningRate()
    {
        Assert.Equal([1.0, 1.0, 0.5, 0.5], Enumerable.Range(1, 4).Select(e => LearningRateSchedule.Step(2, 0.5).Rate(1, e, 4)));
        Assert.Equal(1.0, LearningRateSchedule.Cosine().Rate(1, 1, 4), 10);
        Assert.Equal(0.5, LearningRateSchedule.Cosine().Rate(1, 3, 4), 10);
        var report = Run(Options with { Schedule = LearningRateSchedule.Step(1, 0.5) });
        Assert.Equal([1e-2, 5e-3, 2.5e-3, 1.25e-3], report.Epochs.Select(e => e.LearningRate));
    }

    [Fact]
    public void ProgressReportsEveryStepAndEpoch()
    {
        var reports = new List<TrainingProgress>();
        using var trainer = new ClickWatchModel.Trainer(Options with { Epochs = 2 });
        trainer.Fit(Train, Validation, new SynchronousProgress(reports.Add));
        var steps = (Train.Count + 127) / 128;
        Assert.Equal(2 * (steps + 1), reports.Count);
        Assert.Equal([1, 2], reports.Where(r => r.Completed is not null).Select(r => r.Epoch));
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Loss)));
    }

    [Fact]
    public void AucMatchesBruteForcePairsWithTies()
    {
        var random = new Random(9);
        for (var trial = 0; trial < 50; trial++)
        {
            var n = random.Next(2, 60);
            var scores = Enumerable.Range(0, n).Select(_ => (float)Math.Round(random.NextDouble() * 4) / 4).ToArray(); // many ties
            var labels = Enumerable.Range(0, n).Select(_ => random.NextDouble() < 0.4).ToArray();
            double wins = 0, pairs = 0;
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++)
                    if (labels[i] && !labels[j])
                    {
                        pairs++;
                        wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                    }
            var auc = BinaryMetrics.ComputeAuc(scores, labels);
            if (pairs == 0)
                Assert.True(double.IsNaN(auc));
            else
                Assert.Equal(wins / pairs, auc, 12);
        }
    }

    [Fact]
    public void ResumingFromAForeignCheckpointNamesTheFile()
    {
        var path = Path.Combine(_folder, "other.ckpt");
        using (var other = new OtherModel.Trainer(new TrainingOptions { Epochs = 1, CheckpointPath = path }))
            other.Fit([new OtherModel { ItemId = 1, Like = true }, new OtherModel { ItemId = 2 }]);
        using var trainer = new ClickWatchModel.Trainer(Options);
        var error = Assert.Throws<ModelFileException>(() => trainer.Fit(Train, Validation, resumeFrom: path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private static TrainingReport Run(TrainingOptions options)
    {
        using var trainer = new ClickWatchModel.Trainer(options);
        return trainer.Fit(Train, Validation);
    }

    private static string Fingerprint(TrainingReport report) => string.Join("\n", report.Epochs.Select(e =>
        $"{e.TrainLoss:R} {string.Join(" ", e.TaskLosses.Select(l => l.ToString("R")))} {string.Join(" ", e.Metrics.Select(m => $"{m.Auc:R}/{m.LogLoss:R}/{m.Rmse:R}"))}"));

    /// <summary>Stands in for a crash: throws once epoch <paramref name="epoch"/> is complete (and checkpointed).</summary>
    private sealed class CrashAfterEpoch(int epoch) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Completed?.Epoch == epoch)
                throw new InvalidOperationException("simulated crash");
        }
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
