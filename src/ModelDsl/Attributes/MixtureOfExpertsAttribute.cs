using System;

namespace ModelDsl;

/// <summary>
/// Mixture of experts (Ma et al., KDD 2018): <see cref="Experts"/> expert networks over the embedded
/// features; each task's tower reads Σᵢ gᵢ·expertᵢ, where g is a softmax gate over the experts. With
/// one gate per task (the default) this is MMoE; with <see cref="SharedGate"/> all tasks share one gate (OMoE).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
sealed partial class MixtureOfExpertsAttribute : Attribute
{
    /// <summary>Number of experts.</summary>
    public int Experts { get; set; }

    /// <summary>Units of each expert's layers, input side first.</summary>
    public int[] ExpertUnits { get; set; } = [];

    /// <summary>Hidden layers of each gate before its softmax; empty (the default) is the paper's linear gate.</summary>
    public int[] GateUnits { get; set; } = [];

    /// <summary>One gate shared by every task (OMoE) instead of one per task (MMoE). Default false.</summary>
    public bool SharedGate { get; set; }

    /// <summary>
    /// HoME's expert normalization (Wang et al., 2024): each expert's last layer is batch-normalized per unit and goes
    /// through Swish instead of the model's activation, so that no expert's outputs dwarf the others' and the gates do
    /// not collapse onto it. Default false.
    /// </summary>
    public bool ExpertNormalization { get; set; }
}
