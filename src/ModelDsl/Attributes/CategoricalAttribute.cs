using System;

namespace ModelDsl;

/// <summary>
/// A categorical feature: an integer id in <c>[0, Vocabulary)</c> looked up in an embedding table.
/// Features with the same <see cref="Dim"/> share one concatenated table, so the network gathers
/// them with one lookup.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
public sealed class CategoricalAttribute : Attribute
{
    /// <summary>Number of distinct ids; valid ids are <c>0 … Vocabulary − 1</c>.</summary>
    public int Vocabulary { get; set; }

    /// <summary>Embedding width.</summary>
    public int Dim { get; set; }
}
