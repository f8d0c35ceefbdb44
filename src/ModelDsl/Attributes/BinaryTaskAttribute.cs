using System;

namespace ModelDsl;

/// <summary>
/// A binary classification task (click, like, purchase). The label member is <c>bool</c> or a number
/// that is 0 or 1; the prediction is a probability. Trained with binary cross-entropy.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
sealed partial class BinaryTaskAttribute : Attribute
{
    /// <summary>Units of the task's tower layers; empty (the default) puts the output layer directly on the shared representation.</summary>
    public int[] Tower { get; set; } = [];

    /// <summary>Weight of this task's loss in the total loss. Default 1.</summary>
    public double LossWeight { get; set; } = 1.0;

    /// <summary>
    /// ESMM: the binary task this one follows (e.g. purchase given click). The model learns
    /// p(this | given) and trains on the entire impression space through the joint
    /// p(given ∧ this) = p(given) · p(this | given); this member's label is the joint event. The
    /// prediction has the joint probability as <c>{Task}</c> and the conditional as <c>{Task}Given{Given}</c>.
    /// Chains (click → cart → purchase) multiply along the chain.
    /// </summary>
    public string? Given { get; set; }

    /// <summary>
    /// The text of a positive label in data files (" 50000+." in the census extract), with <see cref="Negative"/>:
    /// the generated readers turn it into true, <see cref="Negative"/> into false, and fail on any other value,
    /// naming the file, row and column. Compared without surrounding spaces. Unset: labels are 0, 1, true or false.
    /// </summary>
    public string? Positive { get; set; }

    /// <summary>The text of a negative label in data files; set with <see cref="Positive"/>.</summary>
    public string? Negative { get; set; }
}
