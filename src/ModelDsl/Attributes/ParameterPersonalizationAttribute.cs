using System;

namespace ModelDsl;

/// <summary>
/// PEPNet's PPNet (Chang et al., KDD 2023): per tower layer, a gate computed from the named prior features
/// (a user, item or author id) and the embedded input (after <see cref="EmbeddingPersonalizationAttribute"/>,
/// if any, without its gradient) scales every task's hidden units of that layer, after the activation:
/// <c>h · δ</c> with δ = 2·σ(W₂·ReLU(W₁·[prior, sg(input)] + b₁) + b₂) in (0, 2). One gate per layer depth
/// serves all towers that have a layer there. Needs a task with tower layers; composes with every architecture.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
sealed partial class ParameterPersonalizationAttribute : Attribute
{
    /// <summary>Creates the gates over the given prior features.</summary>
    /// <param name="priors">Names of feature members, e.g. <c>[ParameterPersonalization(nameof(UserId), nameof(ItemId))]</c>.</param>
    public ParameterPersonalizationAttribute(params string[] priors) => Priors = priors;

    /// <summary>Names of the feature members the gates read with their gradient.</summary>
    public string[] Priors { get; }

    /// <summary>Units of each gate's hidden layer; 0 (the default) makes each as wide as the units it scales.</summary>
    public int GateUnits { get; set; }
}
