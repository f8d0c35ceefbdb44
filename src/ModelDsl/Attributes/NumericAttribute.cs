using System;

namespace ModelDsl;

/// <summary>
/// A dense numeric feature: a <c>float</c> or <c>double</c> member fed to the network as one input column,
/// or a <c>float[]</c> or <c>double[]</c> member of <see cref="Size"/> values fed as that many columns.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
sealed partial class NumericAttribute : Attribute
{
    /// <summary>Number of values of an array member (every sample must have exactly this many); leave unset for a scalar member.</summary>
    public int Size { get; set; }

    /// <summary>What the network does to the value before its first layer; part of the exported graph, so a predictor takes raw values.</summary>
    public NumericTransform Transform { get; set; }

    /// <summary>
    /// The value a missing one (null) stands for, on a <c>float?</c> or <c>double?</c> member, which needs it.
    /// A file's missing-value marker reads as null, and training and the predictor both encode null as this value.
    /// </summary>
    public double Missing { get; set; } = double.NaN;
}

/// <summary>Transforms of a numeric feature, applied in the network (and its ONNX graph) in declaration order.</summary>
[Flags]
#if !MODELDSL_GENERATOR
public
#endif
enum NumericTransform
{
    /// <summary>The value as it is.</summary>
    None = 0,

    /// <summary>log(1 + x), for counts and durations with long tails; values must be greater than −1.</summary>
    Log1p = 1,

    /// <summary>(x − mean) / standard deviation, with both computed from the training data on the first <c>Fit</c> and saved with the weights.</summary>
    Standardize = 2,
}
