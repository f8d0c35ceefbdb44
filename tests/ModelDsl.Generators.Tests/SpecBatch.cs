using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit.Sdk;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Many specs compiled together: one generator run, one emit, one collectible assembly. Compiling and
/// emitting dominate an end-to-end check, so a batch checks hundreds of specs in the time a few take
/// alone. Spec i lives in file <c>Spec{i}.cs</c> and namespace <c>Spec{i}</c>; every problem is traced
/// back to its spec by the file it is in (generated files are named after the model's namespace), and
/// reported with the spec's source, to replay alone.
/// </summary>
internal sealed partial class SpecBatch : IDisposable
{
    private readonly AssemblyLoadContext _context;

    private SpecBatch(AssemblyLoadContext context, Type?[] models)
    {
        _context = context;
        Models = models;
    }

    /// <summary>The model class of each spec, by index.</summary>
    public IReadOnlyList<Type?> Models { get; }

    /// <summary>
    /// Generates and compiles the specs. Throws, naming each failing spec with its source, if the
    /// generator throws or reports anything, or the compilation has a warning or an error.
    /// </summary>
    public static SpecBatch Compile(IReadOnlyList<string> sources)
    {
        var (result, compilation) = GeneratorHarness.Run(GeneratorHarness.Compilation(sources.Select((s, i) => ($"Spec{i}.cs", s))));
        if (result.Results.Single().Exception is { } exception)
            throw new XunitException($"The generator threw: {exception}\n" + Culprit(sources));

        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);   // its diagnostics are the compilation's: one binding, not two
        var problems = result.Diagnostics.Concat(emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)).ToList();
        if (problems.Count > 0 || !emitted.Success)
            throw new XunitException(Describe(problems, sources));

        image.Position = 0;
        var context = new AssemblyLoadContext("specs", isCollectible: true);
        var models = new Type?[sources.Count];
        foreach (var type in context.LoadFromStream(image).GetTypes().Where(t => t.GetCustomAttribute<MultiTaskModelAttribute>() is not null))
            models[SpecOf(type.Namespace + ".", sources.Count) is >= 0 and var i ? i : throw new XunitException($"{type} is in no spec's namespace")] = type;
        return new SpecBatch(context, models);
    }

    /// <summary>The first spec on which the generator throws when run alone.</summary>
    private static string Culprit(IReadOnlyList<string> sources)
    {
        for (var i = 0; i < sources.Count; i++)
            if (GeneratorHarness.Run(sources[i]).Result.Results.Single().Exception is not null)
                return $"It throws on spec {i}:\n{sources[i]}";
        return "It throws on no spec alone.";
    }

    private static string Describe(List<Diagnostic> problems, IReadOnlyList<string> sources)
    {
        var bySpec = problems.GroupBy(d => SpecOf(Path.GetFileName(d.Location.SourceTree?.FilePath ?? ""), sources.Count)).OrderBy(g => g.Key).ToList();
        return $"{bySpec.Count} of {sources.Count} specs do not compile cleanly.\n" + string.Join("\n", bySpec.Select(g =>
            (g.Key < 0 ? "Outside any spec:\n" : $"Spec {g.Key}:\n{sources[g.Key]}") + string.Join("\n", g.Select(d => "  " + d))));
    }

    /// <summary>The spec of a file or namespace named <c>Spec{i}.…</c>; with one spec, that one whatever its name; otherwise −1.</summary>
    private static int SpecOf(string name, int count) =>
        count == 1 ? 0 : SpecName().Match(name) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;

    [GeneratedRegex(@"^Spec(\d+)\.")]
    private static partial Regex SpecName();

    public void Dispose() => _context.Unload();
}
