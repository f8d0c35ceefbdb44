namespace ModelDsl;

/// <summary>Activation of hidden layers.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum Activation
{
    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>x for x ≥ 0, 0.01·x otherwise.</summary>
    LeakyRelu,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>Gaussian error linear unit, exact (erf) form.</summary>
    Gelu,

    /// <summary>Swish (SiLU), x·σ(x): smooth, and nonzero gradient below 0 (HoME's expert activation).</summary>
    Swish,
}
