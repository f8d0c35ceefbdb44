using ModelDsl;

namespace Quickstart;

/// <summary>
/// A Shared-Bottom ranker with two objectives: will the user click the video, and how many minutes
/// will they watch. The build generates VideoRanker.Features, .Prediction, .Network, .Trainer and .Predictor.
/// </summary>
[MultiTaskModel]
[SharedBottom(64, 32)]
[Regularization(Dropout = 0.05, EmbeddingL2 = 1e-6)]
public partial class VideoRanker
{
    [Categorical(Vocabulary = 500, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = 300, Dim = 16)] public long VideoId { get; init; }
    [Categorical(Vocabulary = 24, Dim = 4)] public int HourOfDay { get; init; }
    [Numeric] public float VideoAgeDays { get; init; }

    [BinaryTask(Tower = new[] { 16 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 16 }, LossWeight = 0.5)] public float WatchMinutes { get; init; }
}
