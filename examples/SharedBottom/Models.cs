using ModelDsl;

namespace SharedBottom;

/// <summary>Click and like share the bottom layers and the embeddings: the rare like task learns from every click.</summary>
[MultiTaskModel]
[SharedBottom(64, 32)]
public partial class ClickLikeModel
{
    [Categorical(Vocabulary = World.Users, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = World.Items, Dim = 16)] public long ItemId { get; init; }

    [BinaryTask(Tower = new[] { 16 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 16 })] public bool Like { get; init; }
}

/// <summary>The like task alone, same layers: the single-task baseline.</summary>
[MultiTaskModel]
[SharedBottom(64, 32)]
public partial class LikeOnlyModel
{
    [Categorical(Vocabulary = World.Users, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = World.Items, Dim = 16)] public long ItemId { get; init; }

    [BinaryTask(Tower = new[] { 16 })] public bool Like { get; init; }
}
