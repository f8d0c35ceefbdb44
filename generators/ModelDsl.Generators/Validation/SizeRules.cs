using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Emitting;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;

namespace ModelDsl.Generators.Validation;

/// <summary>
/// Rules over a valid spec's <see cref="ModelSummary"/>: a large model (MDSL032, information), an embedding
/// table over 2³¹ − 1 rows (MDSL033), weights and Adam's state over the memory budget (MDSL034).
/// They run after validation, with the build's <see cref="SizeSettings"/>.
/// </summary>
internal static class SizeRules
{
    /// <summary>The most rows of a table whose row ids fit an int32 (docs/diagnostics.md, MDSL033).</summary>
    public const long MaxTableRows = int.MaxValue;

    private const double GiB = 1L << 30;

    public static EquatableArray<Diagnostic> Check(ParseResult result, SizeSettings settings)
    {
        if (result is not { Spec: { } spec, Anchors: { } at })
            return EquatableArray<Diagnostic>.Empty;
        var summary = new ModelSummary(spec, new ModelLayout(spec));
        return Rules(spec, summary, at, settings).ToEquatableArray();
    }

    private static IEnumerable<Diagnostic> Rules(ModelSpec spec, ModelSummary summary, SizeAnchors at, SizeSettings settings)
    {
        if (summary.Parameters > settings.ThresholdParameters)
            yield return Diagnostic.Create(DiagnosticDescriptors.LargeModel, at.Model, spec.ClassName,
                SummaryEmitter.Count(summary.Parameters), SummaryEmitter.Bytes(summary.WeightBytes), SummaryEmitter.Count(settings.ThresholdParameters));
        foreach (var table in summary.Tables.Where(t => t.Rows > MaxTableRows))
        {
            // On the feature of the table with the largest vocabulary, its likely cause.
            var largest = table.Features.Select(name => spec.Features.First(f => f.Name == name)).OrderByDescending(f => f.Vocabulary).First();
            yield return Diagnostic.Create(DiagnosticDescriptors.EmbeddingTableTooLarge, at.Of(largest.Name), spec.ClassName, table.Dim,
                string.Join(", ", table.Features), SummaryEmitter.Count(table.Rows), SummaryEmitter.Bytes(table.Bytes));
        }
        var needed = summary.WeightBytes + summary.AdamBytes;
        if (needed > settings.MemoryBudgetGiB * GiB)
            yield return Diagnostic.Create(DiagnosticDescriptors.OverMemoryBudget, at.Model, spec.ClassName, SummaryEmitter.Bytes(needed), settings.MemoryBudgetGiB);
    }
}

/// <summary>Where the size diagnostics point: the class name, and each categorical feature's Vocabulary (else its attribute).</summary>
internal sealed record SizeAnchors(Location Model, EquatableArray<FeatureAnchor> Features)
{
    public static SizeAnchors Of(ParsedModel parsed) => new(parsed.Locations.Model, parsed.Spec.Features
        .Where(f => f.Kind == FeatureKind.Categorical)
        .Select(f => new FeatureAnchor(f.Name, parsed.Locations.Get(
            SpecKey.Argument(f.Name, nameof(CategoricalAttribute.Vocabulary)), SpecKey.Attribute(f.Name), SpecKey.Member(f.Name))))
        .ToEquatableArray());

    public Location Of(string feature) => Features.FirstOrDefault(f => f.Feature == feature).Location ?? Model;
}

internal readonly record struct FeatureAnchor(string Feature, Location Location);
