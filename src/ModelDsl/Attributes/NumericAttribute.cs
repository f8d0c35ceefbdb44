using System;

namespace ModelDsl;

/// <summary>
/// A dense numeric feature: a <c>float</c> or <c>double</c> member fed to the network as one input column,
/// or a <c>float[]</c> or <c>double[]</c> member of <see cref="Size"/> values fed as that many columns.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class NumericAttribute : Attribute
{
    /// <summary>Number of values of an array member (every sample must have exactly this many); leave unset for a scalar member.</summary>
    public int Size { get; set; }
}
