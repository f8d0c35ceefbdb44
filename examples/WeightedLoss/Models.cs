using ModelDsl;

namespace WeightedLoss;

/// <summary>
/// YouTube's ranking objective (Covington et al. 2016, §4.2): a click model whose positives are weighted
/// by watch time and negatives by 1, so the odds e^logit estimate the expected watch time of an impression.
/// Also a static loss weight on a second task.
/// </summary>
[MultiTaskModel]
[SharedBottom(64, 32)]
public partial class WatchTimeRanker
{
    [Categorical(Vocabulary = 2_000, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = 1_000, Dim = 16)] public long VideoId { get; init; }
    [Numeric] public float VideoAgeDays { get; init; }

    [BinaryTask(Tower = new[] { 16 })] public bool Click { get; init; }
    [SampleWeight(For = nameof(Click), PositivesOnly = true)] public float WatchMinutes { get; init; }
    [BinaryTask(Tower = new[] { 16 }, LossWeight = 0.5)] public bool Like { get; init; }
}

/// <summary>The same model without the weight: it learns click probability only.</summary>
[MultiTaskModel]
[SharedBottom(64, 32)]
public partial class ClickRanker
{
    [Categorical(Vocabulary = 2_000, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = 1_000, Dim = 16)] public long VideoId { get; init; }
    [Numeric] public float VideoAgeDays { get; init; }

    [BinaryTask(Tower = new[] { 16 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 16 }, LossWeight = 0.5)] public bool Like { get; init; }
}
