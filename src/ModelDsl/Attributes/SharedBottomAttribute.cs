using System;

namespace ModelDsl;

/// <summary>
/// Shared-Bottom architecture: fully connected layers shared by every task over the embedded
/// features, then one tower per task.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
sealed partial class SharedBottomAttribute : Attribute
{
    /// <summary>Creates the architecture with the given shared layer widths, input side first.</summary>
    /// <param name="units">Units of each shared layer, e.g. <c>[SharedBottom(256, 128)]</c>.</param>
    public SharedBottomAttribute(params int[] units) => Units = units;

    /// <summary>Units of each shared layer, input side first.</summary>
    public int[] Units { get; }
}
