using System.Linq;
using Microsoft.CodeAnalysis;
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
        Assert.Equal(7, result.GeneratedTrees.Length);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
