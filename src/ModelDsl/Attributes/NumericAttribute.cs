using System;

namespace ModelDsl;

/// <summary>A dense numeric feature fed to the network as one input column.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class NumericAttribute : Attribute
{
}
