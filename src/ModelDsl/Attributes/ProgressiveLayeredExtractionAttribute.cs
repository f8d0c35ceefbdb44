using System;

namespace ModelDsl;

/// <summary>
/// Progressive Layered Extraction (Tang et al., RecSys 2020): <see cref="Levels"/> stacked extraction
/// levels, each with <see cref="SharedExperts"/> shared and <see cref="TaskExperts"/> task-specific
/// experts. Per level, task k's gate mixes its own and the shared experts; a shared gate mixes all
/// experts into the next level's shared input (not on the last level). One level is CGC.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
sealed partial class ProgressiveLayeredExtractionAttribute : Attribute
{
    /// <summary>Number of extraction levels. Default 1 (CGC).</summary>
    public int Levels { get; set; } = 1;

    /// <summary>Shared experts per level.</summary>
    public int SharedExperts { get; set; }

    /// <summary>Task-specific experts per task and level.</summary>
    public int TaskExperts { get; set; }

    /// <summary>Units of each expert's layers, input side first.</summary>
    public int[] ExpertUnits { get; set; } = [];

    /// <summary>Hidden layers of each gate before its softmax; empty (the default) is a linear gate.</summary>
    public int[] GateUnits { get; set; } = [];

    /// <summary>
    /// HoME's expert normalization (Wang et al., 2024): each expert's last layer is batch-normalized per unit and goes
    /// through Swish instead of the model's activation, so that no expert's outputs dwarf the others' and the gates do
    /// not collapse onto it. Default false.
    /// </summary>
    public bool ExpertNormalization { get; set; }
}
