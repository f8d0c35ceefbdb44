using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// Embeddings shared by an id and its history, a Given chain with PositivesOnly weights, a weighted
/// regression, a weighted multiclass task, Standardize, and both L2s: every term of the C# trainer's step.
/// </summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 3, ExpertUnits = new[] { 16 }, GateUnits = new[] { 8 })]
[Regularization(EmbeddingL2 = 1e-3, DenseL2 = 1e-3)]
public partial class StepParityModel
{
    [Categorical(Vocabulary = 60, Dim = 8, Group = "item")] public long ItemId { get; init; }
    [Categorical(Vocabulary = 60, Dim = 8, Group = "item", MaxLength = 4)] public long[] RecentItems { get; init; } = [];
    [Categorical(Vocabulary = 30, Dim = 4)] public int UserId { get; init; }
    [Numeric(Transform = NumericTransform.Log1p | NumericTransform.Standardize)] public float Views { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [BinaryTask(Given = nameof(Click))] public bool Buy { get; init; }
    [SampleWeight(For = nameof(Buy), PositivesOnly = true)] public float Value { get; init; }
    [RegressionTask] public float Watch { get; init; }
    [SampleWeight(For = nameof(Watch))] public float WatchWeight { get; init; }
    [MulticlassTask(Classes = 3, Tower = new[] { 4 })] public int Band { get; init; }
    [SampleWeight(For = nameof(Band))] public float BandWeight { get; init; }

    /// <summary>Samples that look up only part of each table, so lazy rows and weight decay on them are visible.</summary>
    public static List<StepParityModel> Samples(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var item = random.Next(40);
            var click = random.NextDouble() < 0.3 + item % 3 * 0.2;
            return new StepParityModel
            {
                ItemId = item, RecentItems = Enumerable.Range(0, random.Next(5)).Select(_ => (long)random.Next(40)).ToArray(), UserId = random.Next(20),
                Views = (float)(random.NextDouble() * 1000), Price = (float)random.NextDouble(),
                Click = click, Buy = click && random.NextDouble() < 0.4, Value = 1 + random.Next(3),
                Watch = (float)(item % 5 + random.NextDouble()), WatchWeight = (float)(0.5 + random.NextDouble()),
                Band = random.NextDouble() < 0.7 ? item % 3 : random.Next(3), BandWeight = (float)(0.5 + random.NextDouble()),
            };
        }).ToList();
    }
}

/// <summary>
/// From the same weights on the same batch, the PyTorch trainer's steps agree with the C# trainer's within
/// 1e-5. Each run takes three steps, one full batch per epoch (so the row order cannot differ): lazy Adam's
/// bias correction and untouched rows, SGD's momentum, the learning-rate schedule, and each loss weighting
/// (DWA's weights change after the second epoch) are in play.
/// </summary>
public sealed class StepParityTests : IDisposable
{
    private const int Rows = 96;
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-step-").FullName;

    public static TheoryData<string, TrainingOptions> Runs => new()
    {
        { "lazy Adam, weight decay, static", Options(OptimizerKind.Adam, LossWeightingStrategy.Static) with { WeightDecay = 1e-2 } },
        { "SGD, momentum, weight decay, uncertainty", Options(OptimizerKind.Sgd, LossWeightingStrategy.Uncertainty) with { Momentum = 0.9, WeightDecay = 1e-2, LearningRate = 0.05 } },
        { "lazy Adam, GradNorm", Options(OptimizerKind.Adam, LossWeightingStrategy.GradNorm) },
        { "lazy Adam, DWA, step schedule, clipping", Options(OptimizerKind.Adam, LossWeightingStrategy.DynamicWeightAverage) with { Schedule = LearningRateSchedule.Step(1, 0.5), GradientClipNorm = 0.5 } },
    };

    private static TrainingOptions Options(OptimizerKind optimizer, LossWeightingStrategy strategy) => new()
    {
        // Adam moves a weight whose gradient is near 0 by up to lr·g/(|g| + ε): float rounding of such a gradient
        // (1e-9 against ε = 1e-8) shows as lr·1e-2. The default rate, 1e-3, keeps that below 1e-5.
        Optimizer = optimizer, LossWeighting = new LossWeightingSettings(strategy), BatchSize = Rows, Epochs = 3, LearningRate = 1e-3, Threads = 1,
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void ThreeStepsAgreeWithTheCSharpTrainer(string name, TrainingOptions options)
    {
        var samples = StepParityModel.Samples(Rows, seed: 3);
        using var csharp = new StepParityModel.Trainer(options);
        using var initial = new StepParityModel.Trainer(options);
        using var python = new StepParityModel.Trainer(options);
        DdpRun.TrainBoth(_folder, csharp, initial, python, options, samples, name);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
