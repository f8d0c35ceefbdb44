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

    /// <summary>
    /// ESCM² (Wang et al., SIGIR 2022): a counterfactual regularizer on this <see cref="Given"/> task's conditional
    /// estimate, added to its loss as <see cref="CounterfactualWeight"/> · L_CVR. L_CVR weighs the conditional's
    /// cross-entropy on samples where the given event happened by the inverse of its predicted probability (the
    /// propensity), so it estimates the error over every sample. <see cref="CounterfactualRegularizer.None"/> (the default) is plain ESMM.
    /// </summary>
    public CounterfactualRegularizer Counterfactual { get; set; }

    /// <summary>λ_c, the weight of the counterfactual regularizer within this task's loss. Default <see cref="DefaultCounterfactualWeight"/>.</summary>
    public double CounterfactualWeight { get; set; } = DefaultCounterfactualWeight;

    /// <summary>
    /// The least propensity the regularizer divides by: smaller predicted probabilities of the given event are
    /// raised to it, bounding each sample's weight by its inverse. Default <see cref="DefaultPropensityFloor"/>.
    /// </summary>
    public double PropensityFloor { get; set; } = DefaultPropensityFloor;

    /// <summary>λ_c = 0.5: the weight of the authors' PaddleRec configuration, inside the 0.1–1 the paper recommends.</summary>
    public const double DefaultCounterfactualWeight = 0.5;

    /// <summary>0.1: the propensity threshold of the paper's implementation notes (Appendix A).</summary>
    public const double DefaultPropensityFloor = 0.1;
}

/// <summary>ESCM²'s counterfactual regularizers of a <c>Given</c> task's conditional estimate.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum CounterfactualRegularizer
{
    /// <summary>No regularizer: ESMM's joint loss alone.</summary>
    None,

    /// <summary>
    /// ESCM²-IPS: the mean over all samples of o · δ / q̂, where o is the given event's (joint) label, q̂ its
    /// predicted probability (no gradient, at least the floor) and δ the conditional's cross-entropy.
    /// </summary>
    InversePropensity,

    /// <summary>
    /// ESCM²-DR: an imputation tower (training only, never served) predicts δ on every sample as δ̂ ≥ 0; the
    /// regularizer is the mean of δ̂ + o · (δ − δ̂) / q̂, plus the imputation loss o · (δ − δ̂)² / q̂.
    /// </summary>
    DoublyRobust,
}
