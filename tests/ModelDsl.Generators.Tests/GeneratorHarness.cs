extern alias Generator;

using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Generator::ModelDsl.Generators;

namespace ModelDsl.Generators.Tests;

/// <summary>Runs the generator over in-memory sources against the real runtime assemblies.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly ImmutableArray<MetadataReference> References = Net100.References.All
        .Concat(new[]
        {
            typeof(MultiTaskModelAttribute).Assembly,
            typeof(TorchSharp.torch).Assembly,
            typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly,
            typeof(global::Onnx.ModelProto).Assembly,
            typeof(Google.Protobuf.IMessage).Assembly,
        }.Select(a => (MetadataReference)MetadataReference.CreateFromFile(a.Location)))
        .ToImmutableArray();

    /// <summary>Every compilation derives from this one, so the reference assemblies are read and bound once.</summary>
    private static readonly CSharpCompilation Empty = CSharpCompilation.Create("Models", [], References,
        new CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            // The SDK silences these assembly-unification notes in every build; so do we.
            .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

    public static CSharpCompilation Compilation(params string[] sources) =>
        Compilation(sources.Select((s, i) => ($"Model{i}.cs", s)));

    /// <summary>A compilation of sources under the given file paths, by which diagnostics name them.</summary>
    public static CSharpCompilation Compilation(IEnumerable<(string Path, string Source)> files, CSharpParseOptions? options = null) =>
        Empty.AddSyntaxTrees(files.Select(f => CSharpSyntaxTree.ParseText(f.Source, options ?? ParseOptions, path: f.Path)));

    public static GeneratorDriver Driver(bool trackSteps = false, CSharpParseOptions? options = null) =>
        CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator()],
            parseOptions: options ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; returns the run result and the compilation with the generated sources.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params string[] sources) => Run(Compilation(sources));

    /// <summary>Runs the generator as a project pinned to <paramref name="version"/> (its sources and the generated ones) would.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(LanguageVersion version, params string[] sources)
    {
        var options = new CSharpParseOptions(version);
        return Run(Compilation(sources.Select((s, i) => ($"Model{i}.cs", s)), options), options);
    }

    /// <summary>Runs the generator over a compilation; returns the run result and the compilation with the generated sources.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(Compilation compilation, CSharpParseOptions? options = null)
    {
        var driver = Driver(options: options).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult(), output);
    }
}
