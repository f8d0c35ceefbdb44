using ModelDsl;

namespace Ple;

// Three architectures of about the same size over the same 16 inputs and two regression tasks.

/// <summary>PLE: two levels of 2 shared and 2 per-task experts.</summary>
[MultiTaskModel]
[ProgressiveLayeredExtraction(Levels = 2, SharedExperts = 2, TaskExperts = 2, ExpertUnits = new[] { 16 })]
public partial class PleModel
{
    public required float[] X { get; init; }

    [Numeric] public float X0 => X[0];
    [Numeric] public float X1 => X[1];
    [Numeric] public float X2 => X[2];
    [Numeric] public float X3 => X[3];
    [Numeric] public float X4 => X[4];
    [Numeric] public float X5 => X[5];
    [Numeric] public float X6 => X[6];
    [Numeric] public float X7 => X[7];
    [Numeric] public float X8 => X[8];
    [Numeric] public float X9 => X[9];
    [Numeric] public float X10 => X[10];
    [Numeric] public float X11 => X[11];
    [Numeric] public float X12 => X[12];
    [Numeric] public float X13 => X[13];
    [Numeric] public float X14 => X[14];
    [Numeric] public float X15 => X[15];

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>CGC: one level of 4 shared and 2 per-task experts.</summary>
[MultiTaskModel]
[ProgressiveLayeredExtraction(Levels = 1, SharedExperts = 4, TaskExperts = 2, ExpertUnits = new[] { 16 })]
public partial class CgcModel
{
    public required float[] X { get; init; }

    [Numeric] public float X0 => X[0];
    [Numeric] public float X1 => X[1];
    [Numeric] public float X2 => X[2];
    [Numeric] public float X3 => X[3];
    [Numeric] public float X4 => X[4];
    [Numeric] public float X5 => X[5];
    [Numeric] public float X6 => X[6];
    [Numeric] public float X7 => X[7];
    [Numeric] public float X8 => X[8];
    [Numeric] public float X9 => X[9];
    [Numeric] public float X10 => X[10];
    [Numeric] public float X11 => X[11];
    [Numeric] public float X12 => X[12];
    [Numeric] public float X13 => X[13];
    [Numeric] public float X14 => X[14];
    [Numeric] public float X15 => X[15];

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>MMoE: 8 shared experts, a gate per task.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 8, ExpertUnits = new[] { 16 })]
public partial class MmoeModel
{
    public required float[] X { get; init; }

    [Numeric] public float X0 => X[0];
    [Numeric] public float X1 => X[1];
    [Numeric] public float X2 => X[2];
    [Numeric] public float X3 => X[3];
    [Numeric] public float X4 => X[4];
    [Numeric] public float X5 => X[5];
    [Numeric] public float X6 => X[6];
    [Numeric] public float X7 => X[7];
    [Numeric] public float X8 => X[8];
    [Numeric] public float X9 => X[9];
    [Numeric] public float X10 => X[10];
    [Numeric] public float X11 => X[11];
    [Numeric] public float X12 => X[12];
    [Numeric] public float X13 => X[13];
    [Numeric] public float X14 => X[14];
    [Numeric] public float X15 => X[15];

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}
