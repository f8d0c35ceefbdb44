using System.Collections.Generic;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting.Architectures;

/// <summary>
/// The part of <c>Network</c> between the embedded input and the towers, for one architecture: its
/// fields, their construction, the forward pass and the ONNX export. Both passes start from a local
/// <c>input</c>; the forward pass returns, per task, the expression its tower reads.
/// </summary>
internal interface IArchitectureEmitter
{
    void Fields(SourceWriter w, ModelSpec spec);

    void Construct(SourceWriter w, ModelSpec spec, ModelLayout layout);

    IReadOnlyList<string> Forward(SourceWriter w, ModelSpec spec);

    /// <summary>
    /// Writes the export and returns what the towers read: one value all towers read ([batch, width]), or with
    /// <c>Stacked</c> one value holding each task's input ([batch, tasks, width], task order).
    /// </summary>
    (string Value, bool Stacked) Export(SourceWriter w, ModelSpec spec);

    /// <summary>The expression of the last weight all tasks share (GradNorm's W).</summary>
    string SharedWeight(ModelSpec spec);

    /// <summary>Width of what the towers read.</summary>
    int TowerInputWidth(ModelSpec spec, ModelLayout layout);

    /// <summary>A few words for the Network's summary.</summary>
    string Describe(ModelSpec spec);
}

internal static class ArchitectureEmitters
{
    public static IArchitectureEmitter For(ArchitectureKind kind) => kind switch
    {
        ArchitectureKind.MixtureOfExperts => MixtureOfExpertsEmitter.Instance,
        ArchitectureKind.ProgressiveLayeredExtraction or ArchitectureKind.AdaptiveTaskToTaskFusion => ProgressiveLayeredExtractionEmitter.Instance,
        _ => SharedBottomEmitter.Instance,
    };
}
