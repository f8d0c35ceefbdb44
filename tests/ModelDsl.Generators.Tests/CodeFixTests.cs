extern alias Generator;

using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using ModelDsl.CodeFixes;
using Generator::ModelDsl.Generators.Diagnostics;
using Xunit;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// The code fixes, applied through a plain <see cref="AdhocWorkspace"/> to the diagnostics the generator
/// reports: each fix must produce the exact expected text, and the fixed code must be free of that id.
/// </summary>
public class CodeFixTests
{
    private static readonly CodeFixProvider[] Providers = [new AddPartialCodeFix(), new RemoveAttributeCodeFix(), new RemoveArgumentCodeFix()];

    private const string Members = """
            [Numeric] public float Price { get; init; }
            [BinaryTask] public bool Click { get; init; }
        """;

    [Theory]
    [InlineData("public class M", "public partial class M")]
    [InlineData("class M", "partial class M")]
    [InlineData("public sealed class M", "public sealed partial class M")]
    [InlineData("public record M", "public partial record M")]
    public Task AddsPartial(string before, string after) => Verify("MDSL001",
        Model("[SharedBottom(16)]", before, Members),
        Model("[SharedBottom(16)]", after, Members));

    [Theory]
    [InlineData("[SharedBottom(16)]\n[MixtureOfExperts(Experts = 2, ExpertUnits = new[] { 8 })]", "[SharedBottom(16)]")]
    [InlineData("[SharedBottom(16), MixtureOfExperts(Experts = 2, ExpertUnits = new[] { 8 })]", "[SharedBottom(16)]")]
    [InlineData("[SharedBottom(16)] [ProgressiveLayeredExtraction(SharedExperts = 1)] [Regularization(Dropout = 0.1)]", "[SharedBottom(16)] [Regularization(Dropout = 0.1)]")]
    [InlineData("[SharedBottom(16)]\n#if true\n[MixtureOfExperts(Experts = 2, ExpertUnits = new[] { 8 })]\n#endif", "[SharedBottom(16)]\n#if true\n#endif")]
    public Task RemovesExtraArchitecture(string before, string after) => Verify("MDSL005",
        Model(before, "public partial class M", Members),
        Model(after, "public partial class M", Members));

    [Theory]
    [InlineData("    [Numeric]\n    [RegressionTask]\n    public float Minutes { get; init; }", "    [Numeric]\n    public float Minutes { get; init; }")]
    [InlineData("    [Numeric, RegressionTask] public float Minutes { get; init; }", "    [Numeric] public float Minutes { get; init; }")]
    [InlineData("    [Numeric] [RegressionTask] public float Minutes { get; init; }", "    [Numeric] public float Minutes { get; init; }")]
    [InlineData("    [Numeric, RegressionTask(LossWeight = 2), Obsolete]\n    public float Minutes { get; init; }", "    [Numeric, Obsolete]\n    public float Minutes { get; init; }")]
    [InlineData("    [Numeric]\n#if true\n    [RegressionTask]\n#endif\n    public float Minutes { get; init; }", "    [Numeric]\n#if true\n#endif\n    public float Minutes { get; init; }")]
    [InlineData("#if true\n    [Numeric]\n#endif\n    [RegressionTask]\n    public float Minutes { get; init; }", "#if true\n    [Numeric]\n#endif\n    public float Minutes { get; init; }")]
    public Task RemovesExtraRole(string before, string after) => Verify("MDSL012",
        Model("[SharedBottom(16)]", "public partial class M", Members + "\n" + before),
        Model("[SharedBottom(16)]", "public partial class M", Members + "\n" + after));

    [Theory]
    [InlineData("    [SampleWeight(For = nameof(Click))] public float Minutes { get; init; }", "    public float Minutes { get; init; }")]
    [InlineData("    /// <summary>Minutes watched.</summary>\n    [SampleWeight(For = nameof(Click), PositivesOnly = true)]\n    public float Minutes { get; init; }",
        "    /// <summary>Minutes watched.</summary>\n    public float Minutes { get; init; }")]
    [InlineData("#if true\n    [SampleWeight(For = nameof(Click))]\n#endif\n    public float Minutes { get; init; }", "#if true\n#endif\n    public float Minutes { get; init; }")]
    [InlineData("    [SampleWeight(For = nameof(Click))]\n#if true\n    [Obsolete]\n#endif\n    public float Minutes { get; init; }", "#if true\n    [Obsolete]\n#endif\n    public float Minutes { get; init; }")]
    public Task RemovesSecondSampleWeight(string before, string after) => Verify("MDSL019",
        Model("[SharedBottom(16)]", "public partial class M", Members + "\n    [SampleWeight(For = nameof(Click))] public float Weight { get; init; }\n" + before),
        Model("[SharedBottom(16)]", "public partial class M", Members + "\n    [SampleWeight(For = nameof(Click))] public float Weight { get; init; }\n" + after));

    [Theory]
    [InlineData("[SampleWeight(For = nameof(Minutes), PositivesOnly = true)]")]
    [InlineData("[SampleWeight(PositivesOnly = true, For = nameof(Minutes))]")]
    public Task RemovesPositivesOnly(string before) => Verify("MDSL020",
        Model("[SharedBottom(16)]", "public partial class M", Members + "\n    [RegressionTask] public float Minutes { get; init; }\n    " + before + " public float Weight { get; init; }"),
        Model("[SharedBottom(16)]", "public partial class M", Members + "\n    [RegressionTask] public float Minutes { get; init; }\n    [SampleWeight(For = nameof(Minutes))] public float Weight { get; init; }"));

    [Fact]
    public Task RemovesCounterfactualArgumentsWithoutARegularizer() => Verify("MDSL049",
        Model("[SharedBottom(16)]", "public partial class M", Members + "\n    [BinaryTask(Given = nameof(Click), PropensityFloor = 0.05, CounterfactualWeight = 1)] public bool Buy { get; init; }"),
        Model("[SharedBottom(16)]", "public partial class M", Members + "\n    [BinaryTask(Given = nameof(Click))] public bool Buy { get; init; }"));

    [Fact]
    public void FixesOnlyKnownIds() =>
        Assert.All(Providers.SelectMany(p => p.FixableDiagnosticIds),
            id => Assert.Contains(id, typeof(DiagnosticDescriptors).GetFields().Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)));

    private static string Model(string attributes, string declaration, string members) =>
        $"using System;\nusing ModelDsl;\n\n[MultiTaskModel]\n{attributes}\n{declaration}\n{{\n{members}\n}}\n";

    /// <summary>
    /// Fixes every <paramref name="id"/> diagnostic, one at a time as a person would, then compares the text;
    /// the fixed text must also parse, which a text comparison alone would not catch (a dropped <c>#endif</c>).
    /// </summary>
    private static async Task Verify(string id, string before, string after)
    {
        var provider = Providers.Single(p => p.FixableDiagnosticIds.Contains(id));
        var text = before;
        var fixes = 0;
        while (GeneratorHarness.Run(text).Result.Diagnostics.FirstOrDefault(d => d.Id == id) is { } diagnostic)
        {
            Assert.True(++fixes <= 3, $"{id} is still reported after {fixes - 1} fixes:\n{text}");
            text = await Apply(provider, text, diagnostic);
        }
        Assert.True(fixes > 0, $"{id} was not reported:\n{before}");
        Assert.Equal(after.ReplaceLineEndings(), text.ReplaceLineEndings());
        Assert.Empty(CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions).GetDiagnostics().Select(d => d.ToString()));
    }

    private static async Task<string> Apply(CodeFixProvider provider, string source, Diagnostic diagnostic)
    {
        using var workspace = new AdhocWorkspace();
        var document = workspace.CurrentSolution
            .AddProject("Models", "Models", LanguageNames.CSharp)
            .WithParseOptions(GeneratorHarness.ParseOptions)
            .AddMetadataReferences(GeneratorHarness.References)
            .AddDocument("Model0.cs", source);
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        var operations = await Assert.Single(actions).GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
        return (await changed.GetTextAsync()).ToString();
    }
}
