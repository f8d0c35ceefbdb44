namespace ModelDsl.Tests.Models;

// One spec per architecture over the same members, so SyntheticData feeds them all.

/// <summary>MMoE: one gate per task.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 4, ExpertUnits = new[] { 32, 16 }, GateUnits = new[] { 8 })]
public partial class MmoeModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }
}

/// <summary>OMoE: one gate shared by both tasks.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 4, ExpertUnits = new[] { 32 }, SharedGate = true)]
public partial class OmoeModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }
}

/// <summary>PLE with two levels (the first has a shared gate, the last does not).</summary>
[MultiTaskModel]
[ProgressiveLayeredExtraction(Levels = 2, SharedExperts = 2, TaskExperts = 2, ExpertUnits = new[] { 32, 16 })]
[Regularization(Activation = Activation.LeakyRelu)]
public partial class PleModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }
}

/// <summary>PLE with gate hidden layers over three levels: level 0's gates share their input, later levels' gates read one input each.</summary>
[MultiTaskModel]
[ProgressiveLayeredExtraction(Levels = 3, SharedExperts = 1, TaskExperts = 2, ExpertUnits = new[] { 16 }, GateUnits = new[] { 8, 4 })]
public partial class GatedPleModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }
}

/// <summary>An ESMM chain impression → click → cart → purchase on MMoE; cart is declared after purchase on purpose.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 3, ExpertUnits = new[] { 32 })]
[Regularization(Activation = Activation.Tanh)]
public partial class FunnelModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 8 }, Given = nameof(Cart))] public bool Purchase { get; init; }
    [BinaryTask(Tower = new[] { 8 }, Given = nameof(Click))] public bool Cart { get; init; }
}

/// <summary>YouTube's weighted logistic regression: clicks weighted by watch seconds, negatives by 1.</summary>
[MultiTaskModel]
[SharedBottom(32, 16)]
[Regularization(Activation = Activation.Gelu)]
public partial class WatchWeightedModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [SampleWeight(For = nameof(Click), PositivesOnly = true)] public float WatchSeconds { get; init; }
    [RegressionTask(LossWeight = 0.1)] public float WatchMinutes { get; init; }
}

/// <summary>AdaTT with a shared expert, two experts per task (learned residual weights), HoME's normalization on two-layer experts.</summary>
[MultiTaskModel]
[AdaptiveTaskToTaskFusion(Levels = 2, SharedExperts = 1, TaskExperts = 2, ExpertUnits = new[] { 32, 16 }, ExpertNormalization = true)]
public partial class AdattModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }
}

/// <summary>AdaTT-sp: no shared experts, one expert per task (the identity residual), gates with a hidden layer.</summary>
[MultiTaskModel]
[AdaptiveTaskToTaskFusion(Levels = 2, TaskExperts = 1, ExpertUnits = new[] { 32 }, GateUnits = new[] { 4 })]
public partial class AdattSpModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }
}

/// <summary>MMoE with HoME's expert normalization on one-layer experts, and Swish everywhere else.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 4, ExpertUnits = new[] { 32 }, ExpertNormalization = true)]
[Regularization(Activation = Activation.Swish)]
public partial class NormalizedMmoeModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }
}
