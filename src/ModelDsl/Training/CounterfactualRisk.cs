using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// ESCM²'s counterfactual regularizer of a Given task's conditional estimate (Wang et al., SIGIR 2022), added to the
/// task's ESMM loss. With o the given event's joint label, q̂ its predicted joint probability (the propensity) and
/// δ the conditional's cross-entropy against the task's label, the risk over all samples is estimated by
/// <list type="bullet">
/// <item>IPS: mean(o · δ / q̂);</item>
/// <item>DR: mean(δ̂ + o · (δ − δ̂) / q̂) + mean(o · (δ − δ̂)² / q̂), δ̂ the imputation tower's error estimate.</item>
/// </list>
/// As the paper's implementation notes say, q̂ gets no gradient from this term (else lowering the CTR's
/// calibration would lower the loss) and is raised to <see cref="CounterfactualSettings.PropensityFloor"/>, bounding
/// each sample's weight. δ̂ = softplus(head) ≥ 0, as a cross-entropy is: with a floored q̂, E[1 − o / q̂] &gt; 0 pushes δ̂
/// down wherever the given event is rare, and an unbounded δ̂ would follow it to −∞. The imputation loss fits δ̂ to δ
/// without moving the conditional (DR-JL's alternating fit, in one step): δ is held there.
/// </summary>
internal static class CounterfactualRisk
{
    /// <param name="settings">The task's regularizer.</param>
    /// <param name="logit">The task's conditional logit, [batch].</param>
    /// <param name="label">The task's label, [batch] (on samples where the given event happened, the conditional's label).</param>
    /// <param name="observed">o, the given task's joint label, [batch].</param>
    /// <param name="logPropensity">log q̂, the given task's joint log-probability, [batch].</param>
    /// <param name="imputation">DR: the imputation head's output, [batch]; null for IPS.</param>
    /// <param name="weight">The task's sample weights, [batch], or null.</param>
    public static Tensor Compute(CounterfactualSettings settings, Tensor logit, Tensor label, Tensor observed, Tensor logPropensity, Tensor? imputation, Tensor? weight)
    {
        var inverse = observed / logPropensity.detach().exp().clamp_min(settings.PropensityFloor);
        var error = nn.functional.binary_cross_entropy_with_logits(logit, label, reduction: nn.Reduction.None);
        Tensor terms;
        if (imputation is null)
            terms = inverse * error;
        else
        {
            var imputed = nn.functional.softplus(imputation);
            terms = imputed + inverse * (error - imputed) + inverse * (error.detach() - imputed).square();
        }
        if (weight is not null)
            terms *= weight;
        return settings.Weight * terms.mean();
    }
}
