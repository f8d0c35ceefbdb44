using ModelDsl;

namespace Esmm;

/// <summary>ESMM: purchase is declared Given click, so the model learns p(purchase | click) through p(click ∧ purchase) on every impression.</summary>
[MultiTaskModel]
[SharedBottom(64)]
public partial class EsmmModel
{
    [Categorical(Vocabulary = Simulator.Users, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = Simulator.Items, Dim = 16)] public long ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 32 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 32 }, Given = nameof(Click))] public bool Purchase { get; init; }
}

/// <summary>The usual baseline's conversion model: trained on clicked impressions only.</summary>
[MultiTaskModel]
[SharedBottom(64)]
public partial class CvrModel
{
    [Categorical(Vocabulary = Simulator.Users, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = Simulator.Items, Dim = 16)] public long ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 32 })] public bool Conversion { get; init; }
}

/// <summary>The baseline's click model, trained on every impression; its pCTR times the CVR model's pCVR is the baseline's pCTCVR.</summary>
[MultiTaskModel]
[SharedBottom(64)]
public partial class CtrModel
{
    [Categorical(Vocabulary = Simulator.Users, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = Simulator.Items, Dim = 16)] public long ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 32 })] public bool Click { get; init; }
}
