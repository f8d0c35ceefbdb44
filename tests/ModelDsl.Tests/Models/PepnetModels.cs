namespace ModelDsl.Tests.Models;

// PEPNet's gates on the members of the architecture models, so SyntheticData feeds them.

/// <summary>EPNet and PPNet on Shared-Bottom; towers of different depths (exported one by one).</summary>
[MultiTaskModel]
[SharedBottom(32)]
[EmbeddingPersonalization(nameof(DayOfWeek), nameof(Price))]
[ParameterPersonalization(nameof(UserId), nameof(ItemId))]
public partial class PepnetModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8, 4 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float WatchMinutes { get; init; }
}

/// <summary>PPNet alone on MMoE with dropout; towers of one depth (exported as one).</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 3, ExpertUnits = new[] { 16 })]
[ParameterPersonalization(nameof(UserId), GateUnits = 6)]
[Regularization(Dropout = 0.1)]
public partial class PpnetMmoeModel
{
    [Categorical(Vocabulary = 200, Dim = 8)] public long UserId { get; init; }
    [Categorical(Vocabulary = 100, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2)] public int DayOfWeek { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 4 })] public float WatchMinutes { get; init; }
}
