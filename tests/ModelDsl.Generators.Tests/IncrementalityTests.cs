extern alias Generator;

using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Generator::ModelDsl.Generators;

namespace ModelDsl.Generators.Tests;

public class IncrementalityTests
{
    [Fact]
    public void UnrelatedEditRegeneratesNothing()
    {
        var compilation = GeneratorHarness.Compilation(ReferenceModels.SharedBottom, "namespace Other; public class Helper { }");
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText("namespace Other; public class Helper { public int Added => 1; }", GeneratorHarness.ParseOptions, path: "Model1.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var steps = result.TrackedSteps
            .Where(s => s.Key is ModelGenerator.Steps.Parse or ModelGenerator.Steps.Spec or ModelGenerator.Steps.Diagnostics)
            .SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step output was {o.Reason}"));

        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output was {o.Reason}"));
    }

    [Fact]
    public void EditingTheModelRegeneratesIt()
    {
        var compilation = GeneratorHarness.Compilation(ReferenceModels.SharedBottom);
        var driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(ReferenceModels.SharedBottom.Replace("Dim = 4", "Dim = 6"), GeneratorHarness.ParseOptions, path: "Model0.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        var spec = result.TrackedSteps[ModelGenerator.Steps.Spec].SelectMany(s => s.Outputs).Single();
        Assert.Equal(IncrementalStepRunReason.Modified, spec.Reason);
    }
}
