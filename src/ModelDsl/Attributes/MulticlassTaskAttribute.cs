using System;

namespace ModelDsl;

/// <summary>
/// A multiclass classification task (the category of an item, a rating bucket, the next action). The label
/// member is an <c>int</c> class index in [0, <see cref="Classes"/>) or an enum whose members are numbered
/// 0 to n − 1; the prediction is the most likely class and the probability of each class. Trained with
/// softmax cross-entropy.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
sealed partial class MulticlassTaskAttribute : Attribute
{
    /// <summary>
    /// Number of classes, at least 2. Required for an <c>int</c> label; for an enum label it defaults to the
    /// enum's number of members, and when set must equal it.
    /// </summary>
    public int Classes { get; set; }

    /// <summary>Units of the task's tower layers; empty (the default) puts the output layer directly on the shared representation.</summary>
    public int[] Tower { get; set; } = [];

    /// <summary>Weight of this task's loss in the total loss. Default 1.</summary>
    public double LossWeight { get; set; } = 1.0;
}
