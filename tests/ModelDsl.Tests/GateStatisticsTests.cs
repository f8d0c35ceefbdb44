using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Layers;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// Gate statistics read the weights the gates compute: set by hand, their means, entropy and warnings are known;
/// PLE reports every level, Shared-Bottom none, and the analysis leaves training bit for bit as it was.
/// </summary>
public sealed class GateStatisticsTests
{
    private static readonly SyntheticData Data = new(seed: 7);
    private static readonly TrainingOptions Options = new() { Epochs = 2, BatchSize = 128, LearningRate = 1e-2, Seed = 5, Threads = 1 };

    [Fact]
    public void GateWithMostWeightOnOneExpertCollapsesAndAUniformOneHasEntropyLnE()
    {
        using var trainer = new MmoeModel.Trainer(Options);
        // Click's gate scores expert 0 at 5 and the others at 0; WatchMinutes's gate scores all alike.
        var statistics = Observe(trainer.Network, [5, 0, 0, 0], [0, 0, 0, 0]);

        var click = statistics.Single(s => s.Gate == "Click");
        var top = Math.Exp(5) / (Math.Exp(5) + 3);
        var rest = 1 / (Math.Exp(5) + 3);
        AssertClose([top, rest, rest, rest], click.MeanWeights);
        Assert.Equal(-(top * Math.Log(top) + 3 * rest * Math.Log(rest)), click.Entropy, 1e-6);
        var watch = statistics.Single(s => s.Gate == "WatchMinutes");
        AssertClose([0.25, 0.25, 0.25, 0.25], watch.MeanWeights);
        Assert.Equal(Math.Log(4), watch.Entropy, 1e-6);
        Assert.All(statistics, s => Assert.Equal([0, 1, 2, 3], s.Experts));

        // Experts 1–3 are nearly unused by Click's gate but not by WatchMinutes's: only the collapse is reported.
        var warning = Assert.Single(GateStatistics.Warnings(statistics));
        Assert.Contains("gate 'Click' (level 0) collapsed: expert 0", warning, StringComparison.Ordinal);
        Assert.Empty(GateStatistics.Warnings([watch]));
    }

    [Fact]
    public void ExpertEveryGateIgnoresIsReportedUnused()
    {
        using var trainer = new MmoeModel.Trainer(Options);
        var statistics = Observe(trainer.Network, [5, 5, 5, -5], [4, 5, 5, -5]);

        Assert.All(statistics, s => Assert.True(s.MeanWeights[3] < 1e-4));
        var warning = Assert.Single(GateStatistics.Warnings(statistics));
        Assert.StartsWith("expert 3 (level 0) is nearly unused", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void PleReportsEveryLevelsGatesOverTheirOwnExpertsEvenWithoutValidation()
    {
        using var trainer = new PleModel.Trainer(Options with { Epochs = 1 });
        var report = trainer.Fit(Data.Rows(1_000, seed: 1).Select(Ple));

        Assert.Equal("train", report.Final.MetricsOn);
        // Each level has 6 experts: Click's 0–1, WatchMinutes's 2–3, the shared 4–5; the last level has no shared gate.
        Assert.Equal(
            [("Click", 0, "0 1 4 5"), ("WatchMinutes", 0, "2 3 4 5"), ("shared", 0, "0 1 2 3 4 5"), ("Click", 1, "0 1 4 5"), ("WatchMinutes", 1, "2 3 4 5")],
            report.Final.Gates.Select(g => (g.Gate, g.Level, string.Join(" ", g.Experts))));
        foreach (var gate in report.Final.Gates)
        {
            Assert.Equal(6, gate.MeanWeights.Count);
            Assert.Equal(1, gate.MeanWeights.Sum(), 1e-6);
            Assert.All(Enumerable.Range(0, 6).Except(gate.Experts), e => Assert.Equal(0, gate.MeanWeights[e]));
            Assert.InRange(gate.Entropy, 0, Math.Log(gate.Experts.Count) + 1e-9);
        }
    }

    [Fact]
    public void SharedBottomHasNoGates()
    {
        using var trainer = new WatchWeightedModel.Trainer(Options with { Epochs = 1 });
        var report = trainer.Fit(Data.Rows(1_000, seed: 1).Select(r => new WatchWeightedModel
        {
            UserId = r.User, ItemId = r.Item, Price = r.Price, Click = r.Click, WatchSeconds = r.WatchSeconds, WatchMinutes = r.WatchMinutes,
        }));

        Assert.Empty(report.Final.Gates);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void AnalysisLeavesTrainingBitIdentical()
    {
        // Dropout in the experts and the gates' hidden layers: a draw from the trainer's generator during evaluation would shift every later step.
        static DropoutPleModel Sample(SyntheticRow r) => new()
        {
            UserId = r.User, ItemId = r.Item, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
        };
        var train = Data.Rows(2_000, seed: 1).Select(Sample).ToArray();
        var validation = Data.Rows(500, seed: 2).Select(Sample).ToArray();
        using var analyzed = new DropoutPleModel.Trainer(Options with { Epochs = 3 });
        using var plain = new DropoutPleModel.Trainer(Options with { Epochs = 3, AnalyzeGates = false });

        var analyzedReport = analyzed.Fit(train, validation);
        var plainReport = plain.Fit(train, validation);

        Assert.All(analyzedReport.Epochs, e => Assert.Equal(5, e.Gates.Count)); // level 0: both tasks and shared; level 1: both tasks
        Assert.All(plainReport.Epochs, e => Assert.Empty(e.Gates));
        Assert.Equal(plainReport.Epochs.Select(e => e.TrainLoss), analyzedReport.Epochs.Select(e => e.TrainLoss));
        var expected = plain.Network.state_dict();
        foreach (var (name, value) in analyzed.Network.state_dict())
            Assert.True(value.bytes.SequenceEqual(expected[name].bytes), $"{name} differs");
    }

    [Fact]
    public void ResumedRunKeepsEarlierEpochsGates()
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("modeldsl-gates-").FullName;
        try
        {
            var checkpoint = System.IO.Path.Combine(folder, "run.ckpt");
            var train = Data.Rows(1_000, seed: 1).Select(Mmoe).ToArray();
            using var first = new MmoeModel.Trainer(Options with { Epochs = 1, CheckpointPath = checkpoint });
            var before = first.Fit(train).Final.Gates;
            using var resumed = new MmoeModel.Trainer(Options with { Epochs = 2 });

            var report = resumed.Fit(train, resumeFrom: checkpoint);

            Assert.Equal(before.Select(g => g.ToString()), report.Epochs[0].Gates.Select(g => g.ToString()));
            Assert.Equal(before.SelectMany(g => g.MeanWeights), report.Epochs[0].Gates.SelectMany(g => g.MeanWeights));
            Assert.Equal(2, report.Final.Gates.Count);
        }
        finally
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    private static void AssertClose(double[] expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (var e = 0; e < expected.Length; e++)
            Assert.Equal(expected[e], actual[e], 1e-6);
    }

    /// <summary>Zeroes the last gate layer's weights and sets its biases, so each gate's scores are its row of biases; observes one batch.</summary>
    private static IReadOnlyList<GateStatistics> Observe(MultiTaskNetwork network, float[] click, float[] watch)
    {
        var gates = network.modules().OfType<GateGroup>().Single();
        var parameters = gates.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var last = parameters.Keys.Where(name => name.EndsWith(".bias", StringComparison.Ordinal)).Max()![..^".bias".Length];
        using (no_grad())
        {
            parameters[last + ".weight"].zero_();
            parameters[last + ".bias"].copy_(tensor(click.Concat(watch).ToArray()));
        }
        var analysis = GateAnalysis.For(network)!;
        using (analysis.Observe())
        {
            using var categorical = stack([randint(200, 64), randint(100, 64), randint(7, 64)], 1);
            using var numeric = randn(64, 1);
            network.Predict(categorical, numeric).Dispose();
        }
        return analysis.Take();
    }

    private static MmoeModel Mmoe(SyntheticRow r) => new()
    {
        UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
    };

    private static PleModel Ple(SyntheticRow r) => new()
    {
        UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
    };
}

/// <summary>PLE with dropout in its experts and gates, for <see cref="GateStatisticsTests.AnalysisLeavesTrainingBitIdentical"/>.</summary>
[MultiTaskModel]
[ProgressiveLayeredExtraction(Levels = 2, SharedExperts = 1, TaskExperts = 1, ExpertUnits = new[] { 16 }, GateUnits = new[] { 4 })]
[Regularization(Dropout = 0.1)]
public partial class DropoutPleModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }
}
