using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ModelDsl.Generators.Tests;

public class CompilationTests
{
    [Fact]
    public void GeneratedCodeCompilesWithoutWarnings()
    {
        var (result, output) = GeneratorHarness.Run(ReferenceModels.SharedBottom);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(6, result.GeneratedTrees.Length);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
