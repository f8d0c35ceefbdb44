using System;

namespace ModelDsl;

/// <summary>
/// PEPNet's EPNet (Chang et al., KDD 2023): a gate computed from the named prior features (a domain or
/// scenario id, a user id, per-domain statistics) scales the embedded input of the model, element by
/// element, before the architecture reads it: <c>input · δ</c> with δ = 2·σ(W₂·ReLU(W₁·[prior, sg(input)] + b₁) + b₂)
/// in (0, 2), where sg stops the gradient, so the shared embeddings are not trained through the gate's view of them.
/// The prior features stay part of the input too. Composes with every architecture and with
/// <see cref="ParameterPersonalizationAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
sealed partial class EmbeddingPersonalizationAttribute : Attribute
{
    /// <summary>Creates the gate over the given prior features.</summary>
    /// <param name="priors">Names of feature members, e.g. <c>[EmbeddingPersonalization(nameof(Domain))]</c>.</param>
    public EmbeddingPersonalizationAttribute(params string[] priors) => Priors = priors;

    /// <summary>Names of the feature members the gate reads with their gradient.</summary>
    public string[] Priors { get; }

    /// <summary>Units of the gate's hidden layer; 0 (the default) makes it as wide as the input it scales.</summary>
    public int GateUnits { get; set; }
}
