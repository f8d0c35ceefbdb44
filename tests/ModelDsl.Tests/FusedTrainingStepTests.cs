using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Layers;
using ModelDsl.Training;
using ModelDsl.Training.Weighting;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// MMoE with all that a whole fused training step computes: two embedding widths, numbers, binary and regression tasks,
/// loss weights, and sample weights of both kinds.
/// </summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 3, ExpertUnits = new[] { 16, 8 })]
public partial class WeightedMixtureModel
{
    [Categorical(Vocabulary = 50, Dim = 4)] public long UserId { get; init; }
    [Categorical(Vocabulary = 30, Dim = 4)] public long ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }
    [Numeric] public float Age { get; init; }

    [BinaryTask(Tower = new[] { 8 }, LossWeight = 2)] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 4 })] public bool Like { get; init; }
    [RegressionTask(Tower = new[] { 8 }, LossWeight = 0.5)] public float WatchMinutes { get; init; }
    [SampleWeight(For = nameof(Click), PositivesOnly = true)] public float Dwell { get; init; }
    [SampleWeight(For = nameof(WatchMinutes))] public float Trust { get; init; }
}

/// <summary>
/// Whole training steps outside autograd (<see cref="FusedTrainingStep"/>) against the same training through autograd:
/// the trained weights, the losses reported, which settings it leaves to autograd, and bad ids.
/// </summary>
public class FusedTrainingStepTests
{
    [Theory]
    [InlineData(64, 1, false)]
    [InlineData(100, 2, false)]   // at two threads
    [InlineData(96, 1, false)]    // a short last batch (400 = 4 · 96 + 16)
    [InlineData(64, 1, true)]     // weight decay and a cosine schedule
    public void AdamTrainsTheSameWholeAsThroughAutograd(int batchSize, int threads, bool decayAndSchedule)
    {
        var samples = Samples(400);
        var options = new TrainingOptions { Epochs = 3, BatchSize = batchSize, LearningRate = 0.01, Seed = 3, Threads = threads, AnalyzeGates = false };
        if (decayAndSchedule)
            options = options with { WeightDecay = 0.01, Schedule = LearningRateSchedule.Cosine(0.1) };
        using var whole = new WeightedMixtureModel.Trainer(options);
        using var autograd = new WeightedMixtureModel.Trainer(options);
        Assert.NotNull(StepFor(whole.Network, options));
        var wholeReport = whole.Fit(samples);
        TrainingReport reference;
        using (FusedMixture.LayerByLayer())
            reference = autograd.Fit(samples);

        for (var e = 0; e < options.Epochs; e++)
        {
            Assert.Equal(reference.Epochs[e].TrainLoss, wholeReport.Epochs[e].TrainLoss, 1e-4);
            for (var t = 0; t < 3; t++)
                Assert.Equal(reference.Epochs[e].TaskLosses[t], wholeReport.Epochs[e].TaskLosses[t], 1e-4);
        }
        var expected = autograd.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in whole.Network.named_parameters())
            Assert.True(parameter.allclose(expected[name], rtol: 1e-3, atol: 1e-5), $"{name}: largest difference {(parameter - expected[name]).abs().max().item<float>()}");
    }

    [Fact]
    public void AResumedRunEndsExactlyLikeAnUninterruptedOne()
    {
        // Adam's moments and step counts live in the optimizer's state, which the checkpoint carries.
        var samples = Samples(300);
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fused-step-{Guid.NewGuid():N}.ckpt");
        try
        {
            var options = new TrainingOptions { Epochs = 4, BatchSize = 64, LearningRate = 0.01, Seed = 9, Threads = 1, AnalyzeGates = false, Schedule = LearningRateSchedule.Cosine(0.1) };
            using var uninterrupted = new WeightedMixtureModel.Trainer(options);
            var expected = uninterrupted.Fit(samples);
            using (var crashing = new WeightedMixtureModel.Trainer(options with { CheckpointPath = path }))
                Assert.Throws<InvalidOperationException>(() => crashing.Fit(samples, progress: new CrashAfterEpoch(2)));
            using var resumed = new WeightedMixtureModel.Trainer(options with { CheckpointPath = path });
            var report = resumed.Fit(samples, resumeFrom: path);

            Assert.Equal(expected.Epochs.Select(e => e.TrainLoss), report.Epochs.Select(e => e.TrainLoss));
            Assert.Equal(uninterrupted.Network.parameters().SelectMany(p => p.data<float>().ToArray()), resumed.Network.parameters().SelectMany(p => p.data<float>().ToArray()));
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    private sealed class CrashAfterEpoch(int epoch) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Completed?.Epoch == epoch)
                throw new InvalidOperationException("simulated crash");
        }
    }

    [Fact]
    public void TheTrainedModelLearnsTheDataItWasGiven()
    {
        // Click is positive with the user's parity: a table-driven pattern only the embeddings can carry.
        var samples = Samples(2000);
        using var trainer = new WeightedMixtureModel.Trainer(new TrainingOptions { Epochs = 6, BatchSize = 64, LearningRate = 0.01, Seed = 4, Threads = 1, AnalyzeGates = false });
        var report = trainer.Fit(samples);
        Assert.True(report.Epochs[^1].TaskLosses[0] < 0.6 * report.Epochs[0].TaskLosses[0], $"Click loss {report.Epochs[0].TaskLosses[0]} → {report.Epochs[^1].TaskLosses[0]}");
    }

    public static TheoryData<string> AutogradSettings => new() { "clipping", "sgd", "gradnorm", "l2", "layer by layer" };

    [Theory]
    [MemberData(nameof(AutogradSettings))]
    public void SettingsItDoesNotComputeTrainThroughAutograd(string setting)
    {
        var network = new WeightedMixtureModel.Network();
        var options = setting switch
        {
            "clipping" => new TrainingOptions { GradientClipNorm = 1 },
            "sgd" => new TrainingOptions { Optimizer = OptimizerKind.Sgd },
            _ => new TrainingOptions(),
        };
        var settings = setting == "gradnorm" ? new LossWeightingSettings(LossWeightingStrategy.GradNorm) : new LossWeightingSettings(LossWeightingStrategy.Static);
        var weighting = LossWeighting.Create(settings, network.Schema, options.LearningRate);
        using var optimizer = Optimizers.Create(options, network.parameters().Concat(weighting.Parameters));
        using var step = FusedTrainingStep.For(network, options, weighting, optimizer, penalized: setting == "l2");
        if (setting != "layer by layer")
        {
            Assert.Null(step);
            return;
        }
        // Chosen for the run, a step still declines each batch while the layers run one by one or gradients are off.
        Assert.NotNull(step);
        var (categorical, numeric, labels, weights) = Batch(network, 8, id: 3);
        using (FusedMixture.LayerByLayer())
            Assert.Null(step.Forward(categorical, numeric, labels, weights));
        using (no_grad())
            Assert.Null(step.Forward(categorical, numeric, labels, weights));
        Assert.NotNull(step.Forward(categorical, numeric, labels, weights));
    }

    [Fact]
    public void AnIdOutsideItsTableIsRefusedBeforeAnythingMoves()
    {
        var network = new WeightedMixtureModel.Network();
        var options = new TrainingOptions();
        using var optimizer = Optimizers.Create(options, network.parameters());
        using var step = StepFor(network, options, optimizer)!;
        var before = network.parameters().Select(p => p.clone()).ToList();
        var (categorical, numeric, labels, weights) = Batch(network, 4, id: 3);
        categorical[2, 1] = tensor(1_000_000L);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => step.Forward(categorical, numeric, labels, weights));
        Assert.Contains("Categorical column 1 of batch row 2 holds id 1000000", error.Message, StringComparison.Ordinal);
        Assert.All(network.parameters().Zip(before), p => Assert.True(p.First.eq(p.Second).all().item<bool>()));
    }

    private static FusedTrainingStep? StepFor(WeightedMixtureModel.Network network, TrainingOptions options, OptimizerHelper? optimizer = null)
    {
        var weighting = LossWeighting.Create(new LossWeightingSettings(LossWeightingStrategy.Static), network.Schema, options.LearningRate);
        return FusedTrainingStep.For(network, options, weighting, optimizer ?? Optimizers.Create(options, network.parameters()), penalized: false);
    }

    private static (Tensor Categorical, Tensor Numeric, Tensor Labels, Tensor Weights) Batch(MultiTaskNetwork network, int rows, long id) => (
        full([rows, network.Schema.CategoricalCount], id, ScalarType.Int64),
        ones([rows, network.Schema.NumericCount]),
        ones([rows, network.Schema.Tasks.Count]),
        ones([rows, network.Schema.Tasks.Count]));

    private static List<WeightedMixtureModel> Samples(int count)
    {
        var random = new Random(11);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var user = random.Next(50);
            var price = (float)random.NextDouble();
            return new WeightedMixtureModel
            {
                UserId = user, ItemId = random.Next(30), DayOfWeek = random.Next(7), Price = price, Age = (float)random.NextDouble(),
                Click = user % 2 == 0 ^ random.NextDouble() < 0.1, Like = random.NextDouble() < price,
                WatchMinutes = 3 * price + (float)random.NextDouble(), Dwell = 1 + 4 * (float)random.NextDouble(), Trust = (float)random.NextDouble(),
            };
        }).ToList();
    }
}
