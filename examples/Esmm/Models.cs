using ModelDsl;

namespace Esmm;

/// <summary>What the entire-space models (ESMM and ESCM²) read and learn from an impression.</summary>
public interface IFunnelSample
{
    long UserId { get; init; }
    long ItemId { get; init; }
    float Price { get; init; }
    bool Click { get; init; }
    bool Purchase { get; init; }
}

/// <summary>ESMM: purchase is declared Given click, so the model learns p(purchase | click) through p(click ∧ purchase) on every impression.</summary>
[MultiTaskModel]
[SharedBottom(64)]
public partial class EsmmModel : IFunnelSample
{
    [Categorical(Vocabulary = Simulator.Users, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = Simulator.Items, Dim = 16)] public long ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 32 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 32 }, Given = nameof(Click))] public bool Purchase { get; init; }
}

/// <summary>ESCM²-IPS: ESMM plus the inverse-propensity regularizer on pCVR (defaults: λ = 0.5, propensities floored at 0.1).</summary>
[MultiTaskModel]
[SharedBottom(64)]
public partial class EscmIpsModel : IFunnelSample
{
    [Categorical(Vocabulary = Simulator.Users, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = Simulator.Items, Dim = 16)] public long ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 32 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 32 }, Given = nameof(Click), Counterfactual = CounterfactualRegularizer.InversePropensity)] public bool Purchase { get; init; }
}

/// <summary>ESCM²-IPS with propensities floored at 0.02 instead of 0.1: clicked impressions weigh up to 50 instead of 10.</summary>
[MultiTaskModel]
[SharedBottom(64)]
public partial class EscmIpsLowFloorModel : IFunnelSample
{
    [Categorical(Vocabulary = Simulator.Users, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = Simulator.Items, Dim = 16)] public long ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 32 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 32 }, Given = nameof(Click), Counterfactual = CounterfactualRegularizer.InversePropensity, PropensityFloor = 0.02)] public bool Purchase { get; init; }
}

/// <summary>ESCM²-DR: ESMM plus the doubly robust regularizer, with a training-only imputation tower beside the purchase tower.</summary>
[MultiTaskModel]
[SharedBottom(64)]
public partial class EscmDrModel : IFunnelSample
{
    [Categorical(Vocabulary = Simulator.Users, Dim = 16)] public long UserId { get; init; }
    [Categorical(Vocabulary = Simulator.Items, Dim = 16)] public long ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 32 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 32 }, Given = nameof(Click), Counterfactual = CounterfactualRegularizer.DoublyRobust)] public bool Purchase { get; init; }
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
