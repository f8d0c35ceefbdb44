using ModelDsl;

namespace PackageConsumer;

/// <summary>Shared-Bottom over one categorical and one numeric feature, with a binary and a regression task.</summary>
[MultiTaskModel]
[SharedBottom(16)]
public partial class Ranker
{
    [Categorical(Vocabulary = 10, Dim = 4)] public int Item { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Revenue { get; init; }
}
