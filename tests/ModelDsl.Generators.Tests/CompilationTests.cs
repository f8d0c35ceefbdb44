using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ModelDsl.Generators.Tests;

public class CompilationTests
{
    public static TheoryData<int> Models => new(Enumerable.Range(0, ReferenceModels.All.Length));

    [Theory]
    [MemberData(nameof(Models))]
    public void GeneratedCodeCompilesWithoutWarnings(int model)
    {
        var (result, output) = GeneratorHarness.Run(ReferenceModels.All[model]);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(8, result.GeneratedTrees.Length);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>C# 10 is the oldest version the generated code compiles with (MDSL030 below it); some models' own code needs more.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void GeneratedCodeCompilesWithCSharp10(int model)
    {
        var (result, output) = GeneratorHarness.Run(LanguageVersion.CSharp10, ReferenceModels.All[model]);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(8, result.GeneratedTrees.Length);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && result.GeneratedTrees.Contains(d.Location.SourceTree!))
            .Select(d => d.ToString()).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Keywords are legal names once escaped; the generated code and its hint names must cope with them.</summary>
    [Theory]
    [InlineData("A", "@event")]
    [InlineData("A.@class", "M")]
    [InlineData("@namespace.@class", "@record")]
    [InlineData("A.record.var", "@async")]
    [InlineData("", "@class")]
    public void KeywordNamesCompile(string ns, string name)
    {
        var (result, output) = GeneratorHarness.Run($$"""
            using ModelDsl;
            {{(ns.Length > 0 ? $"namespace {ns};" : "")}}

            [MultiTaskModel]
            [SharedBottom(8)]
            public partial class {{name}}
            {
                [Categorical(Vocabulary = 10, Dim = 4)] public long UserId { get; init; }
                [Numeric] public float Price { get; init; }
                [BinaryTask] public bool Click { get; init; }
            }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(8, result.GeneratedTrees.Length);
        Assert.All(result.Results.Single().GeneratedSources, s => Assert.DoesNotContain('@', s.HintName));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
