using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using CsCheck;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Over random attribute combinations (<see cref="RandomModels"/>): the generator never throws, and
/// every model either gets an error from the generator (and no code) or gets code that compiles with
/// zero warnings; the diagnostics of the newer options are all reached. A failure prints the model's
/// source and CsCheck's seed to replay it (<c>Check.Sample(..., seed: "…")</c>).
/// </summary>
public class PropertyTests(ITestOutputHelper output)
{
    /// <summary>Loss weighting, numeric Size and Transform, sequences, groups, out-of-vocabulary policies, columns, enum arguments, missing ids and sequences, ESCM²'s Counterfactual, PEPNet's priors.</summary>
    private static readonly string[] NewerDiagnostics = ["MDSL011", "MDSL023", "MDSL024", "MDSL025", "MDSL026", "MDSL027", "MDSL028", "MDSL031", "MDSL048", "MDSL049", "MDSL044", "MDSL045", "MDSL046", "MDSL047"];

    [Fact]
    public void EveryModelGetsAnErrorOrCodeThatCompiles()
    {
        int valid = 0, invalid = 0;
        var reached = new ConcurrentDictionary<string, int>();
        RandomModels.Model.Sample(model =>
        {
            var (result, compilation) = GeneratorHarness.Run(model.Source);
            var run = result.Results.Single();
            if (run.Exception is not null)
                throw new InvalidOperationException($"The generator threw: {run.Exception}");
            foreach (var id in result.Diagnostics.Select(d => d.Id).Distinct())
                reached.AddOrUpdate(id, 1, (_, n) => n + 1);
            if (result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                Assert.Empty(run.GeneratedSources);
                Interlocked.Increment(ref invalid);
                return;
            }
            Assert.NotEmpty(run.GeneratedSources);
            var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
            Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems));
            Interlocked.Increment(ref valid);
        }, iter: 600, print: model => "\n" + model.Source);

        output.WriteLine($"{valid} valid models compiled, {invalid} invalid ones reported: " +
            string.Join(", ", reached.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} ×{r.Value}")));
        // The generators must reach both sides of the property, or it proves little.
        Assert.True(valid >= 30 && invalid >= 30, $"{valid} valid, {invalid} invalid");
        var missed = NewerDiagnostics.Where(id => !reached.ContainsKey(id)).ToList();
        Assert.True(missed.Count == 0, "Not reached: " + string.Join(", ", missed));
    }
}
