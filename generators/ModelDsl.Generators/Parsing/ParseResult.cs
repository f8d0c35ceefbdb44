using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Parsing;

/// <summary>
/// What parsing one annotated class gives: the spec when it is valid, and its diagnostics. Roslyn's
/// <see cref="Diagnostic"/> compares by value (descriptor, arguments, location), so the result stays
/// equal across runs when the class did not change.
/// </summary>
internal sealed record ParseResult(ModelSpec? Spec, EquatableArray<Diagnostic> Diagnostics)
{
    /// <summary>Where the size rules point, beside a valid spec (<see cref="Validation.SizeRules"/>).</summary>
    public Validation.SizeAnchors? Anchors { get; init; }

    /// <summary>Nothing to generate and nothing to add to what the compiler reports.</summary>
    public static ParseResult None { get; } = new(null, EquatableArray<Diagnostic>.Empty);
}
