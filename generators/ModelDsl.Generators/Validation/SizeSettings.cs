using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Validation;

/// <summary>
/// The limits of the size diagnostics, from MSBuild properties the ModelDsl package makes visible to the
/// compiler (<c>CompilerVisibleProperty</c> in build/ModelDsl.targets), as analyzers read their options:
/// <c>ModelDslSummaryThresholdParameters</c> (MDSL032) and <c>ModelDslMemoryBudgetGiB</c> (MDSL034). A value
/// that is not a positive number is reported (MDSL035) and the default applies.
/// </summary>
internal sealed record SizeSettings(long ThresholdParameters, double MemoryBudgetGiB, EquatableArray<Diagnostic> Problems)
{
    public const string ThresholdProperty = "ModelDslSummaryThresholdParameters";
    public const string BudgetProperty = "ModelDslMemoryBudgetGiB";
    public const long DefaultThresholdParameters = 100_000_000;
    public const double DefaultMemoryBudgetGiB = 64;

    public static SizeSettings Default { get; } = new(DefaultThresholdParameters, DefaultMemoryBudgetGiB, EquatableArray<Diagnostic>.Empty);

    public static SizeSettings Read(AnalyzerConfigOptions options)
    {
        var problems = new List<Diagnostic>();
        var threshold = Read(options, ThresholdProperty, DefaultThresholdParameters, "a positive whole number of parameters", problems,
            text => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null);
        var budget = Read(options, BudgetProperty, DefaultMemoryBudgetGiB, "a positive number of GiB", problems,
            text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && !double.IsInfinity(v) ? v : null);
        return new SizeSettings(threshold, budget, problems.ToEquatableArray());
    }

    private static T Read<T>(AnalyzerConfigOptions options, string property, T fallback, string valid, List<Diagnostic> problems, System.Func<string, T?> parse)
        where T : struct
    {
        if (!options.TryGetValue("build_property." + property, out var text) || string.IsNullOrWhiteSpace(text))
            return fallback;
        if (parse(text.Trim()) is { } value)
            return value;
        problems.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidBuildProperty, Location.None, property, text, valid, fallback));
        return fallback;
    }
}
