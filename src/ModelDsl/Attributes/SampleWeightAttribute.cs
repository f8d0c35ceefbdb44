using System;

namespace ModelDsl;

/// <summary>
/// Weights one task's loss per sample by this member's value. With <see cref="PositivesOnly"/> on a
/// binary task, positives are weighted by the value and negatives by 1: YouTube's watch-time weighted
/// logistic regression (Covington et al. 2016), whose odds e^logit then approximate the expected
/// watch time; the prediction exposes them as <c>{Task}Odds</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
sealed partial class SampleWeightAttribute : Attribute
{
    /// <summary>Name of the weighted task, e.g. <c>nameof(Click)</c>.</summary>
    public string For { get; set; } = "";

    /// <summary>Weight only positive samples of a binary task; negatives weigh 1. Default false (every sample).</summary>
    public bool PositivesOnly { get; set; }
}
