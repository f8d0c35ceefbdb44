using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;
namespace ModelDsl.Generators.Tests;
public class TmpKeyword(ITestOutputHelper output)
{
    [Fact]
    public void Keyword()
    {
        var (r, c) = GeneratorHarness.Run(DiagnosticTests.Model("[Numeric] public float @class { get; init; }\n[BinaryTask] public bool @event { get; init; }"));
        output.WriteLine(string.Join("\n", r.Diagnostics));
        output.WriteLine(string.Join("\n", c.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Take(5)));
    }
}
