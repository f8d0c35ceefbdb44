using ModelDsl;

namespace MmoeSynthetic;

// The MMoE paper's §5.1 models over the same 100 inputs and two regression tasks, each task with a tower
// of one 8-unit layer, and MMoE with HoME's expert normalization (128 more parameters: a scale and a shift per expert unit instead of a bias). Parameter counts (weights and biases): MMoE 14,834, OMoE 14,026, Shared-Bottom
// 14,776 (117·units + 34 with 126 units, the width that comes closest to MMoE's count).

/// <summary>MMoE: 8 experts of one 16-unit ReLU layer, one softmax gate per task.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 8, ExpertUnits = new[] { 16 })]
public partial class SyntheticMmoe
{
    /// <summary>The d = 100 inputs.</summary>
    [Numeric(Size = 100)] public required float[] X { get; init; }

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>MMoE with HoME's expert normalization: each expert's 16 units batch-normalized, then Swish instead of ReLU.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 8, ExpertUnits = new[] { 16 }, ExpertNormalization = true)]
public partial class SyntheticMmoeNormalized
{
    /// <summary>The d = 100 inputs.</summary>
    [Numeric(Size = 100)] public required float[] X { get; init; }

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>OMoE: the same experts under one gate shared by both tasks.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 8, ExpertUnits = new[] { 16 }, SharedGate = true)]
public partial class SyntheticOmoe
{
    /// <summary>The d = 100 inputs.</summary>
    [Numeric(Size = 100)] public required float[] X { get; init; }

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>Shared-Bottom: one shared ReLU layer, widened to MMoE's parameter count.</summary>
[MultiTaskModel]
[SharedBottom(126)]
public partial class SyntheticSharedBottom
{
    /// <summary>The d = 100 inputs.</summary>
    [Numeric(Size = 100)] public required float[] X { get; init; }

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}
