namespace ModelDsl.Tests.Models;

/// <summary>
/// Every categorical and numeric feature type: a shared item table for the item and its history
/// (mean), tag ids (sum), hashed query strings (max, most recent kept), a hashed string, reserved and
/// hashed out-of-vocabulary ids, and Log1p/Standardize transforms.
/// </summary>
[MultiTaskModel]
[SharedBottom(16)]
public partial record FeatureTypesModel
{
    [Categorical(Vocabulary = 40, Dim = 8, Group = "item")] public long ItemId { get; init; }
    [Categorical(Vocabulary = 40, Dim = 8, Group = "item", MaxLength = 5)] public long[] RecentItems { get; init; } = [];
    [Categorical(Vocabulary = 30, Dim = 4, MaxLength = 4, Pooling = Pooling.Sum)] public int[] Tags { get; init; } = [];
    [Categorical(Vocabulary = 64, Dim = 4, MaxLength = 3, Pooling = Pooling.Max, Truncation = SequenceTruncation.KeepLast)]
    public string[] Queries { get; init; } = [];
    [Categorical(Vocabulary = 100, Dim = 8)] public string Country { get; init; } = "";
    [Categorical(Vocabulary = 10, Dim = 4, OutOfVocabulary = OutOfVocabulary.Reserved)] public int City { get; init; }
    [Categorical(Vocabulary = 10, Dim = 4, OutOfVocabulary = OutOfVocabulary.Hash)] public long Device { get; init; }
    [Numeric(Transform = NumericTransform.Log1p | NumericTransform.Standardize)] public float WatchCount { get; init; }
    [Numeric(Transform = NumericTransform.Standardize)] public double Age { get; init; }
    [Numeric(Size = 2, Transform = NumericTransform.Log1p)] public float[] Counts { get; init; } = [0, 0];

    [BinaryTask, Column("clicked")] public bool Click { get; init; }
}
