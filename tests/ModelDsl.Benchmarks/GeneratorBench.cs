using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelDsl.Generators;

namespace ModelDsl.Benchmarks;

/// <summary>Generator cost with 50 model specs in one compilation, and that an unrelated edit regenerates nothing.</summary>
internal static class GeneratorBench
{
    private const int Specs = 50;
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static void Run(BenchContext context)
    {
        var references = Net100.References.All.Concat(new[]
        {
            typeof(MultiTaskModelAttribute).Assembly,
            typeof(TorchSharp.torch).Assembly,
            typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly,
            typeof(global::Onnx.ModelProto).Assembly,
            typeof(Google.Protobuf.IMessage).Assembly,
        }.Select(a => (MetadataReference)MetadataReference.CreateFromFile(a.Location))).ToImmutableArray();
        var options = new CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]);
        var trees = Enumerable.Range(0, Specs).Select(i => CSharpSyntaxTree.ParseText(Spec(i), ParseOptions, path: $"Model{i}.cs"))
            .Append(CSharpSyntaxTree.ParseText(Unrelated(0), ParseOptions, path: "Helper.cs")).ToList();
        var compilation = CSharpCompilation.Create("Models", trees, references, options);

        // Full runs: a fresh driver over a fresh compilation each time (the first also JIT-compiles the generator).
        var full = new List<double>();
        Compilation output = compilation;
        GeneratorDriverRunResult? result = null;
        for (var run = 0; run < context.Rounds + 1; run++)
        {
            var fresh = CSharpCompilation.Create("Models", trees, references, options);
            var begin = Stopwatch.GetTimestamp();
            var driver = Driver(false).RunGeneratorsAndUpdateCompilation(fresh, out output, out _);
            full.Add(Stats.Seconds(begin));
            result = driver.GetRunResult();
        }
        var generated = result!.GeneratedTrees.Length;
        var generatorDiagnostics = result.Diagnostics.Length;
        Console.WriteLine($"{Specs} specs: full generator run {full[0] * 1e3:F0} ms cold (first, includes JIT), then median {Stats.Median(full.Skip(1).ToList()) * 1e3:F0} ms ({string.Join(", ", full.Skip(1).Select(s => (s * 1e3).ToString("F0")))} ms); {generated} files, {generatorDiagnostics} generator diagnostics");
        var compileBegin = Stopwatch.GetTimestamp();
        var errors = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Console.WriteLine($"Binding the compilation with the generated code: {Stats.Seconds(compileBegin):F1} s, {errors.Count} warnings/errors{(errors.Count > 0 ? ": " + errors[0] : "")}");

        // Incremental runs: an unrelated edit, then an edit to one spec.
        var tracked = Driver(true).RunGenerators(compilation);
        var untracked = Driver(false).RunGenerators(compilation);
        var incremental = new List<double>();
        var incrementalUntracked = new List<double>();
        var notCached = 0;
        var counted = 0;
        var current = compilation;
        for (var edit = 1; edit <= context.Rounds + 2; edit++)
        {
            var edited = current.ReplaceSyntaxTree(current.SyntaxTrees.Last(), CSharpSyntaxTree.ParseText(Unrelated(edit), ParseOptions, path: "Helper.cs"));
            var begin = Stopwatch.GetTimestamp();
            tracked = tracked.RunGenerators(edited);
            incremental.Add(Stats.Seconds(begin));
            begin = Stopwatch.GetTimestamp();
            untracked = untracked.RunGenerators(edited);
            incrementalUntracked.Add(Stats.Seconds(begin));
            current = edited;
            var run = tracked.GetRunResult().Results.Single();
            var reasons = run.TrackedSteps.Where(s => s.Key is ModelGenerator.Steps.Parse or ModelGenerator.Steps.Spec or ModelGenerator.Steps.Diagnostics)
                .SelectMany(s => s.Value).SelectMany(s => s.Outputs)
                .Concat(run.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs))
                .Select(o => o.Reason).ToList();
            counted += reasons.Count;
            notCached += reasons.Count(r => r is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        }
        Console.WriteLine($"Unrelated edit (method added to a non-model class), {incremental.Count} edits: median {Stats.Median(incrementalUntracked) * 1e3:F1} ms per run ({Stats.Median(incremental) * 1e3:F1} ms with step tracking, which runs first on each new compilation); {counted} tracked step and output results, {notCached} not Cached/Unchanged (goal 0)");

        var specEdit = current.ReplaceSyntaxTree(current.SyntaxTrees.First(), CSharpSyntaxTree.ParseText(Spec(0).Replace("Dim = 16", "Dim = 12", StringComparison.Ordinal), ParseOptions, path: "Model0.cs"));
        var specBegin = Stopwatch.GetTimestamp();
        tracked = tracked.RunGenerators(specEdit);
        var specSeconds = Stats.Seconds(specBegin);
        var modified = tracked.GetRunResult().Results.Single().TrackedSteps[ModelGenerator.Steps.Spec].SelectMany(s => s.Outputs).Count(o => o.Reason == IncrementalStepRunReason.Modified);
        Console.WriteLine($"Edit of one spec's embedding size: {specSeconds * 1e3:F1} ms, {modified} spec(s) Modified of {Specs}");
    }

    private static GeneratorDriver Driver(bool track) =>
        CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    private static string Unrelated(int edit) =>
        $"namespace Other; public class Helper {{ {string.Concat(Enumerable.Range(0, edit).Select(i => $"public int Added{i} => {i}; "))}}}";

    /// <summary>A valid spec; the architecture cycles through Shared-Bottom, MMoE and PLE and the feature count varies.</summary>
    private static string Spec(int i)
    {
        var architecture = (i % 3) switch
        {
            0 => "[MixtureOfExperts(Experts = 4, ExpertUnits = new[] { 128, 64 })]",
            1 => "[SharedBottom(64, 32)]",
            _ => "[ProgressiveLayeredExtraction(Levels = 2, SharedExperts = 2, TaskExperts = 2, ExpertUnits = new[] { 32, 16 })]",
        };
        var features = string.Concat(Enumerable.Range(0, 4 + i % 5).Select(f => $"    [Categorical(Vocabulary = {1000 + f}, Dim = 16)] public long C{f} {{ get; init; }}\n"))
            + string.Concat(Enumerable.Range(0, 2 + i % 4).Select(f => $"    [Numeric] public float N{f} {{ get; init; }}\n"));
        return $$"""
            using ModelDsl;
            namespace Bench.Models;

            [MultiTaskModel]
            {{architecture}}
            public partial class Model{{i}}
            {
            {{features}}
                [BinaryTask(Tower = new[] { 32 })] public bool Click { get; init; }
                [RegressionTask(Tower = new[] { 16 })] public float Watch { get; init; }
            }
            """;
    }
}
