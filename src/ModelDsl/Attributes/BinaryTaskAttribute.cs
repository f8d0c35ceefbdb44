using System;

namespace ModelDsl;

/// <summary>
/// A binary classification task (click, like, purchase). The label member is <c>bool</c> or a number
/// that is 0 or 1; the prediction is a probability. Trained with binary cross-entropy.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class BinaryTaskAttribute : Attribute
{
    /// <summary>Units of the task's tower layers; empty (the default) puts the output layer directly on the shared representation.</summary>
    public int[] Tower { get; set; } = [];

    /// <summary>Weight of this task's loss in the total loss. Default 1.</summary>
    public double LossWeight { get; set; } = 1.0;
}
