using System;

namespace ModelDsl;

/// <summary>
/// Adaptive Task-to-Task Fusion, AdaTT (Li et al., KDD 2023): <see cref="Levels"/> stacked fusion levels, each
/// with <see cref="TaskExperts"/> experts per task and, optionally, <see cref="SharedExperts"/> shared ones. Per
/// level, task k's gate mixes every expert of the level (all tasks' and the shared), reading task k's path, and
/// adds a learned linear combination of task k's own experts (the residual); a shared gate does the same for the
/// shared path below the last level. Without shared experts this is the paper's AdaTT-sp. An alternative to
/// <see cref="ProgressiveLayeredExtractionAttribute"/>, whose task gates mix only their own and the shared experts.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
sealed partial class AdaptiveTaskToTaskFusionAttribute : Attribute
{
    /// <summary>Number of fusion levels. Default 1.</summary>
    public int Levels { get; set; } = 1;

    /// <summary>Shared experts per level. Default 0 (AdaTT-sp).</summary>
    public int SharedExperts { get; set; }

    /// <summary>Task-specific experts per task and level.</summary>
    public int TaskExperts { get; set; }

    /// <summary>Units of each expert's layers, input side first.</summary>
    public int[] ExpertUnits { get; set; } = [];

    /// <summary>Hidden layers of each gate before its softmax; empty (the default) is the paper's linear gate.</summary>
    public int[] GateUnits { get; set; } = [];

    /// <summary>HoME's expert normalization, as on <see cref="MixtureOfExpertsAttribute.ExpertNormalization"/>. Default false.</summary>
    public bool ExpertNormalization { get; set; }
}
