using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelDsl.Tests.Models;

/// <summary>The Shared-Bottom spec the runtime tests train, export and serve.</summary>
[MultiTaskModel]
[SharedBottom(32, 16)]
[Regularization(Dropout = 0.05, EmbeddingL2 = 1e-6)]
public partial class ClickWatchModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }
}

/// <summary><see cref="ClickWatchModel"/>'s spec with uncertainty weighting declared, for the check that <c>TrainingOptions.LossWeighting</c> overrides it.</summary>
[MultiTaskModel]
[SharedBottom(32, 16)]
[Regularization(Dropout = 0.05, EmbeddingL2 = 1e-6)]
[LossWeighting(LossWeightingStrategy.Uncertainty)]
public partial class UncertaintyWeightedModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }

    public static UncertaintyWeightedModel From(ClickWatchModel s) => new()
    {
        UserId = s.UserId, ItemId = s.ItemId, DayOfWeek = s.DayOfWeek, Price = s.Price, Click = s.Click, WatchMinutes = s.WatchMinutes,
    };
}

/// <summary>Another spec, for the checks that a predictor refuses a file that is not its own.</summary>
[MultiTaskModel]
[SharedBottom(8)]
public partial class OtherModel
{
    [Categorical(Vocabulary = 10, Dim = 4)] public int ItemId { get; init; }
    [BinaryTask] public bool Like { get; init; }
}

/// <summary>Numeric features only: y = 3·x₁ − 2·x₂ + noise, P(positive) = σ(2·x₁ + x₂). Small and fast, for optimizer tests.</summary>
[MultiTaskModel]
[SharedBottom(16)]
public partial class LinearSignalModel
{
    [Numeric] public float X1 { get; init; }
    [Numeric] public double X2 { get; init; }

    [BinaryTask] public bool Positive { get; init; }
    [RegressionTask] public float Y { get; init; }

    public static List<LinearSignalModel> Samples(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            double x1 = random.NextDouble() * 2 - 1, x2 = random.NextDouble() * 2 - 1;
            return new LinearSignalModel
            {
                X1 = (float)x1, X2 = x2,
                Positive = random.NextDouble() < 1 / (1 + Math.Exp(-(2 * x1 + x2))),
                Y = (float)(3 * x1 - 2 * x2 + 0.1 * (random.NextDouble() - 0.5)),
            };
        }).ToList();
    }
}

/// <summary>Numeric labels and a sample weight, for the bad-data checks.</summary>
[MultiTaskModel]
[SharedBottom(8)]
public partial class NumericLabelModel
{
    [Categorical(Vocabulary = 10, Dim = 2)] public int ItemId { get; init; }
    [Numeric] public double Price { get; init; }

    [BinaryTask] public float Converted { get; init; }
    [SampleWeight(For = nameof(Converted))] public float Weight { get; init; } = 1;
    [RegressionTask] public double Revenue { get; init; }
}

/// <summary>Numeric arrays next to scalars and ids.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 2, ExpertUnits = new[] { 8 })]
public partial class VectorModel
{
    [Numeric] public float Price { get; init; }
    [Numeric(Size = 4)] public required float[] Embedding { get; init; }
    [Categorical(Vocabulary = 5, Dim = 2)] public int Slot { get; init; }
    [Numeric(Size = 3)] public double[] Counts { get; init; } = [0, 0, 0];

    [BinaryTask] public bool Click { get; init; }
}
