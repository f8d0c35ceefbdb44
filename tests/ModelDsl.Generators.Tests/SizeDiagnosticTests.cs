extern alias Generator;

using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Generator::ModelDsl.Generators;
using Xunit;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// The model summary's size diagnostics (MDSL032–MDSL035), each on the span it must underline (<see cref="Markup"/>),
/// under the MSBuild properties a build passes (<c>build_property.*</c> global options). Nothing else may be reported.
/// </summary>
public class SizeDiagnosticTests
{
    [Fact]
    public void Mdsl032LargeModelOnClassNameAboveTheThreshold()
    {
        // 1,000,000 · 8 table parameters, 8·16 + 16 bottom, 16 + 1 tower: 8,000,161.
        var d = Verify(Model("{|MDSL032:M|}", "[Categorical(Vocabulary = 1_000_000, Dim = 8)] public long UserId { get; init; }"),
            new() { ["ModelDslSummaryThresholdParameters"] = "8000000" });
        Assert.Equal("Model class 'M' has 8,000,161 parameters (30.5 MiB of float32 weights), more than ModelDslSummaryThresholdParameters = 8,000,000; its documentation summarizes the cost per component",
            d[0].GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticSeverity.Info, d[0].Severity);
    }

    [Fact]
    public void Mdsl032QuietAtTheThresholdAndByDefault()
    {
        var model = Model("M", "[Categorical(Vocabulary = 1_000_000, Dim = 8)] public long UserId { get; init; }");
        Verify(model, new() { ["ModelDslSummaryThresholdParameters"] = "8000161" });
        Verify(model, []);
    }

    [Fact]
    public void Mdsl033TableOver2To31RowsOnTheLargestVocabularyOfTheTable()
    {
        // Each feature alone is under 2^31 − 1 rows; sharing the table of width 1, they have 2,200,000,000.
        var d = Verify(Model("M",
            "[Categorical(Vocabulary = 200_000_000, Dim = 1)] public long ItemId { get; init; }\n" +
            "[Categorical({|MDSL033:Vocabulary = 2_000_000_000|}, Dim = 1)] public long UserId { get; init; }"),
            new() { ["ModelDslSummaryThresholdParameters"] = "10000000000" });
        Assert.Equal("The embedding table of width 1 of 'M' (ItemId, UserId) has 2,200,000,000 rows (8.2 GiB of float32 weights), more than 2^31 - 1: " +
            "its row ids do not fit an int32, as ONNX hosts that index in int32 (TensorRT) need; give some of these features another Dim, or lower their Vocabulary",
            d[0].GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticSeverity.Warning, d[0].Severity);
    }

    [Fact]
    public void Mdsl033QuietAt2To31MinusOneRows() =>
        Verify(Model("M", "[Categorical(Vocabulary = int.MaxValue, Dim = 1)] public long UserId { get; init; }"),
            new() { ["ModelDslSummaryThresholdParameters"] = "10000000000" });

    [Fact]
    public void Mdsl034OverTheMemoryBudgetOnClassName()
    {
        // 8,000,161 parameters · 4 bytes · (1 + 2 moments) = 91.6 MiB, over 0.05 GiB = 51.2 MiB.
        var d = Verify(Model("{|MDSL034:M|}", "[Categorical(Vocabulary = 1_000_000, Dim = 8)] public long UserId { get; init; }"),
            new() { ["ModelDslMemoryBudgetGiB"] = "0.05" });
        Assert.Equal("Model class 'M' needs 91.6 MiB for its float32 weights and Adam's two moments, more than ModelDslMemoryBudgetGiB = 0.05 GiB; shrink the largest components (see the class's summary) or raise the budget",
            d[0].GetMessage(CultureInfo.InvariantCulture));
        Verify(Model("M", "[Categorical(Vocabulary = 1_000_000, Dim = 8)] public long UserId { get; init; }"), new() { ["ModelDslMemoryBudgetGiB"] = "0.1" });
    }

    [Theory]
    [InlineData("ModelDslSummaryThresholdParameters", "lots", "a positive whole number of parameters, so the default 100000000 applies")]
    [InlineData("ModelDslSummaryThresholdParameters", "-5", "a positive whole number of parameters, so the default 100000000 applies")]
    [InlineData("ModelDslMemoryBudgetGiB", "0", "a positive number of GiB, so the default 64 applies")]
    public void Mdsl035InvalidPropertyIsReportedAndTheDefaultApplies(string property, string value, string rest)
    {
        var (result, _) = Run(Model("M", "[Numeric] public float Price { get; init; }"), new() { [property] = value });
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("MDSL035", d.Id);
        Assert.Equal(Location.None, d.Location);
        Assert.Equal($"The MSBuild property {property} is '{value}'; it must be {rest}", d.GetMessage(CultureInfo.InvariantCulture));
    }

    private static string Model(string name, string feature) => $$"""
        using ModelDsl;

        [MultiTaskModel]
        [SharedBottom(16)]
        public partial class {{name}}
        {
            {{feature.Replace("\n", "\n    ", System.StringComparison.Ordinal)}}
            [BinaryTask] public bool Click { get; init; }
        }
        """;

    private static List<Diagnostic> Verify(string markup, Dictionary<string, string> properties)
    {
        var (source, expected) = Markup.Parse(markup);
        var (result, generated) = Run(source, properties);
        Assert.Equal(
            expected.Select(e => $"{e.Id} at {e.Span}: {source.Substring(e.Span.Start, e.Span.Length)}").Order(),
            result.Diagnostics.Select(d => $"{d.Id} at {d.Location.SourceSpan}: {source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)}").Order());
        // Size diagnostics never stop generation.
        Assert.Contains(generated, s => s.EndsWith(".Summary.g.cs", System.StringComparison.Ordinal));
        return result.Diagnostics.ToList();
    }

    private static (GeneratorDriverRunResult Result, List<string> HintNames) Run(string source, Dictionary<string, string> properties)
    {
        var driver = CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], parseOptions: GeneratorHarness.ParseOptions,
            optionsProvider: new Options(properties.ToDictionary(p => "build_property." + p.Key, p => p.Value)));
        var result = driver.RunGenerators(GeneratorHarness.Compilation(source)).GetRunResult();
        return (result, result.Results.Single().GeneratedSources.Select(s => s.HintName).ToList());
    }

    private sealed class Options(Dictionary<string, string> global) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Values([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Values([]);
    }

    private sealed class Values(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
