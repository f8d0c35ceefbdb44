using ModelDsl;

namespace Ple;

// Five architectures of about the same size over the same 16 inputs and two regression tasks.

/// <summary>PLE: two levels of 2 shared and 2 per-task experts.</summary>
[MultiTaskModel]
[ProgressiveLayeredExtraction(Levels = 2, SharedExperts = 2, TaskExperts = 2, ExpertUnits = new[] { 16 })]
public partial class PleModel
{
    [Numeric(Size = 16)] public required float[] X { get; init; }

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>CGC: one level of 4 shared and 2 per-task experts.</summary>
[MultiTaskModel]
[ProgressiveLayeredExtraction(Levels = 1, SharedExperts = 4, TaskExperts = 2, ExpertUnits = new[] { 16 })]
public partial class CgcModel
{
    [Numeric(Size = 16)] public required float[] X { get; init; }

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>MMoE: 8 shared experts, a gate per task.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 8, ExpertUnits = new[] { 16 })]
public partial class MmoeModel
{
    [Numeric(Size = 16)] public required float[] X { get; init; }

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>AdaTT: two fusion levels of the same experts as PLE (2 shared, 2 per task); every gate mixes all 6.</summary>
[MultiTaskModel]
[AdaptiveTaskToTaskFusion(Levels = 2, SharedExperts = 2, TaskExperts = 2, ExpertUnits = new[] { 16 })]
public partial class AdattModel
{
    [Numeric(Size = 16)] public required float[] X { get; init; }

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>AdaTT-sp: two fusion levels of 3 experts per task and none shared (6 per level, as PLE).</summary>
[MultiTaskModel]
[AdaptiveTaskToTaskFusion(Levels = 2, TaskExperts = 3, ExpertUnits = new[] { 16 })]
public partial class AdattSpModel
{
    [Numeric(Size = 16)] public required float[] X { get; init; }

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}
