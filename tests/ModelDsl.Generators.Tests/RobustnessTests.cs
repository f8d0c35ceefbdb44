using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Inputs the compiler rejects: the generator must not throw, must not generate code, and must not
/// repeat the compiler's error as a diagnostic of its own.
/// </summary>
public class RobustnessTests
{
    [Theory]
    [InlineData("[Categorical(Vocabulary = unknown, Dim = 4)] public long UserId { get; init; }")]
    [InlineData("[Categorical(Vocabulary = 10L, Dim = 4)] public long UserId { get; init; }")]
    [InlineData("[Categorical(Vocabulary = , Dim = 4)] public long UserId { get; init; }")]
    [InlineData("[Categorical(10, 4)] public long UserId { get; init; }")]
    [InlineData("[Categorical(Vocab = 10, Dim = 4, Vocabulary = 10)] public long UserId { get; init; }")]
    [InlineData("[Categorical(Vocabulary = int.MaxValue + 1, Dim = 4)] public long UserId { get; init; }")]
    [InlineData("[Numeric] public Unknown Price { get; init; }")]
    [InlineData("[Numeric(1)] public float Price { get; init; }")]
    [InlineData("[Numeric public float Price { get; init; }")]
    [InlineData("[BinaryTask(Tower = new[] { 1, unknown })] public bool Like { get; init; }")]
    [InlineData("[BinaryTask(Tower = 4)] public bool Like { get; init; }")]
    [InlineData("[BinaryTask(Tower = new[] { 1.5 })] public bool Like { get; init; }")]
    [InlineData("[BinaryTask(LossWeight = \"high\")] public bool Like { get; init; }")]
    [InlineData("[BinaryTask(Given = 5)] public bool Like { get; init; }")]
    [InlineData("[BinaryTask(Given = nameof(Click.Nothing))] public bool Like { get; init; }")]
    [InlineData("[RegressionTask(Given = nameof(Click))] public float Minutes { get; init; }")]
    [InlineData("[SampleWeight(For = Click)] public float Weight { get; init; }")]
    [InlineData("[SampleWeight(For = nameof(Click), PositivesOnly = 1)] public float Weight { get; init; }")]
    [InlineData("[RegressionTask] public float Click { get; init; }")]
    [InlineData("[Numeric] public double Price;")]
    public void MalformedMember(string member) => AssertQuiet(DiagnosticTests.Model(
        "[Numeric] public float Price { get; init; }\n[BinaryTask] public bool Click { get; init; }\n" + member));

    [Theory]
    [InlineData("[SharedBottom(\"wide\")]")]
    [InlineData("[SharedBottom(16, unknown)]")]
    [InlineData("[SharedBottom(Units = new[] { 16 })]")]
    [InlineData("[MixtureOfExperts(Experts = 2.5, ExpertUnits = new[] { 8 })]")]
    [InlineData("[MixtureOfExperts(2, new[] { 8 })]")]
    [InlineData("[ProgressiveLayeredExtraction(Levels = null, SharedExperts = 1, TaskExperts = 1, ExpertUnits = new[] { 8 })]")]
    [InlineData("[SharedBottom(16)] [Regularization(Dropout = \"0.1\")]")]
    [InlineData("[SharedBottom(16)] [Regularization(Activation = 2)]")]
    [InlineData("[SharedBottom(16)] [Regularization(Activation = Activation.Mish)]")]
    public void MalformedClassAttribute(string attributes) => AssertQuiet(DiagnosticTests.Model(
        "[Numeric] public float Price { get; init; }\n[BinaryTask] public bool Click { get; init; }", attributes));

    [Theory]
    [InlineData("[MultiTaskModel] [SharedBottom(16)] public partial struct S { [Numeric] public float Price { get; init; } [BinaryTask] public bool Click { get; init; } }")]
    [InlineData("[MultiTaskModel] public partial interface I { }")]
    [InlineData("[MultiTaskModel] [SharedBottom(16)] public partial record struct R([property: Numeric] float Price, [property: BinaryTask] bool Click);")]
    [InlineData("[MultiTaskModel(1)] [SharedBottom(16)] public partial class M { [Numeric] public float Price { get; init; } [BinaryTask] public bool Click { get; init; } }")]
    public void MalformedModelDeclaration(string source) => AssertQuiet("using ModelDsl;\n" + source);

    /// <summary>An attribute on a half-typed member has no member to annotate: the rest of the model still generates.</summary>
    [Fact]
    public void IncompleteMember()
    {
        var (result, _) = GeneratorHarness.Run(DiagnosticTests.Model(
            "[Numeric] public float Price { get; init; }\n[BinaryTask] public bool Click { get; init; }\n[Numeric] public float"));
        Assert.Null(result.Results.Single().Exception);
        Assert.Empty(result.Diagnostics);
        Assert.NotEmpty(result.GeneratedTrees);
    }

    /// <summary>[MultiTaskModel] on two parts of one class (CS0579) still yields one model, not two of the same name.</summary>
    [Fact]
    public void ModelAttributeOnTwoParts()
    {
        var (result, output) = GeneratorHarness.Run("""
            using ModelDsl;

            [MultiTaskModel] [SharedBottom(16)]
            public partial class M { [Numeric] public float Price { get; init; } }

            [MultiTaskModel]
            public partial class M { [BinaryTask] public bool Click { get; init; } }
            """);
        Assert.Null(result.Results.Single().Exception);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(["CS0579"], output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).Distinct());
    }

    private static void AssertQuiet(string source)
    {
        var (result, output) = GeneratorHarness.Run(source);
        var run = result.Results.Single();
        Assert.Null(run.Exception);
        Assert.Empty(run.GeneratedSources);
        Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
        Assert.Contains(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("MDSL", StringComparison.Ordinal));
    }
}
