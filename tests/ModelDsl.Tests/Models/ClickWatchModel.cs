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

/// <summary>Another spec, for the checks that a predictor refuses a file that is not its own.</summary>
[MultiTaskModel]
[SharedBottom(8)]
public partial class OtherModel
{
    [Categorical(Vocabulary = 10, Dim = 4)] public int ItemId { get; init; }
    [BinaryTask] public bool Like { get; init; }
}
