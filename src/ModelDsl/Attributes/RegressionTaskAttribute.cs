using System;

namespace ModelDsl;

/// <summary>
/// A regression task (watch time, finish rate). The label member is <c>float</c> or <c>double</c>;
/// trained with mean squared error.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
sealed partial class RegressionTaskAttribute : Attribute
{
    /// <summary>Units of the task's tower layers; empty (the default) puts the output layer directly on the shared representation.</summary>
    public int[] Tower { get; set; } = [];

    /// <summary>Weight of this task's loss in the total loss. Default 1.</summary>
    public double LossWeight { get; set; } = 1.0;
}
