using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting.Architectures;

/// <summary>
/// Progressive Layered Extraction, or AdaTT: <c>Levels</c> stacked <c>ExtractionLevel</c>s (AdaTT's with adaptive
/// fusion); level 0 reads the embedded input on every path, later levels the previous level's task and shared
/// outputs; each tower reads its task's output of the last level.
/// </summary>
internal sealed class ProgressiveLayeredExtractionEmitter : IArchitectureEmitter
{
    public static readonly ProgressiveLayeredExtractionEmitter Instance = new();

    public void Fields(SourceWriter w, ModelSpec spec)
    {
        for (var level = 0; level < spec.Architecture.Levels; level++)
            w.Line($"private readonly global::ModelDsl.Layers.ExtractionLevel level_{level};");
    }

    public void Construct(SourceWriter w, ModelSpec spec, ModelLayout layout)
    {
        var a = spec.Architecture;
        for (var level = 0; level < a.Levels; level++)
            w.Line($"level_{level} = new(\"level_{level}\", inputWidth: {(level == 0 ? layout.InputWidth : Units(spec))}, tasks: {spec.Tasks.Count}, " +
                $"sharedCount: {a.SharedExperts}, taskCount: {a.TaskExperts}, expertUnits: {SourceWriter.IntArray(a.ExpertUnits)}, " +
                $"gateUnits: {SourceWriter.IntArray(a.GateUnits)}, first: {(level == 0 ? "true" : "false")}, last: {(level == a.Levels - 1 ? "true" : "false")}, regularization" +
                $"{(a.ExpertNormalization ? ", normalizeExperts: true" : "")}{(a.Kind == ArchitectureKind.AdaptiveTaskToTaskFusion ? ", adaptiveFusion: true" : "")});");
    }

    public IReadOnlyList<string> Forward(SourceWriter w, ModelSpec spec)
    {
        var tasks = $"new[] {{ {string.Join(", ", spec.Tasks.Select(_ => "input"))} }}";
        var shared = "input";
        var last = spec.Architecture.Levels - 1;
        for (var level = 0; level <= last; level++)
        {
            w.Line($"var (tasks{level}, {(level == last ? "_" : $"shared{level}")}) = level_{level}.forward({tasks}, {shared});");
            (tasks, shared) = ($"tasks{level}", $"shared{level}!");
        }
        return spec.Tasks.Select((_, t) => $"tasks{last}[{t}]").ToList();
    }

    /// <summary>The same levels; each level's stacked task outputs are split for the next level, the last level's go to the towers whole.</summary>
    public (string Value, bool Stacked) Export(SourceWriter w, ModelSpec spec)
    {
        var tasks = $"new[] {{ {string.Join(", ", spec.Tasks.Select(_ => "input"))} }}";
        var shared = "input";
        var last = spec.Architecture.Levels - 1;
        for (var level = 0; level <= last; level++)
        {
            w.Line($"var (tasks{level}, {(level == last ? "_" : $"shared{level}")}) = level_{level}.Export(g, {tasks}, {shared});");
            (tasks, shared) = ($"new[] {{ {string.Join(", ", spec.Tasks.Select((_, t) => $"g.Select(tasks{level}, {t})"))} }}", $"shared{level}!");
        }
        return ($"tasks{last}", true);
    }

    public string SharedWeight(ModelSpec spec) => $"level_{spec.Architecture.Levels - 1}.SharedLastWeight";

    public int TowerInputWidth(ModelSpec spec, ModelLayout layout) => Units(spec);

    public string Describe(ModelSpec spec) =>
        $"{(spec.Architecture.Kind == ArchitectureKind.AdaptiveTaskToTaskFusion ? "AdaTT" : "PLE")}, {spec.Architecture.Levels} level(s) of {spec.Architecture.SharedExperts} shared and {spec.Architecture.TaskExperts} per-task experts [{string.Join(", ", spec.Architecture.ExpertUnits)}]{Normalized(spec)}";

    /// <summary>A note for the Network's summary when the experts are normalized.</summary>
    public static string Normalized(ModelSpec spec) => spec.Architecture.ExpertNormalization ? ", normalized (HoME)" : "";

    private static int Units(ModelSpec spec) => spec.Architecture.ExpertUnits[spec.Architecture.ExpertUnits.Count - 1];
}
