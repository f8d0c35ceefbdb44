using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting.Architectures;

/// <summary>
/// Mixture of experts: all experts as one <c>ExpertGroup</c>; one gate per task (MMoE) or one shared
/// gate (OMoE), all gates as one <c>GateGroup</c> (one matmul, one mix); each tower reads its
/// gate's mix of the experts.
/// </summary>
internal sealed class MixtureOfExpertsEmitter : IArchitectureEmitter
{
    public static readonly MixtureOfExpertsEmitter Instance = new();

    public void Fields(SourceWriter w, ModelSpec spec)
    {
        w.Line("private readonly global::ModelDsl.Layers.ExpertGroup experts;");
        w.Line("private readonly global::ModelDsl.Layers.GateGroup gates;");
    }

    public void Construct(SourceWriter w, ModelSpec spec, ModelLayout layout)
    {
        var a = spec.Architecture;
        w.Line($"experts = new(\"experts\", inputWidth: {layout.InputWidth}, experts: {a.Experts}, units: {SourceWriter.IntArray(a.ExpertUnits)}, regularization{(a.ExpertNormalization ? ", normalize: true" : "")});");
        w.Line($"gates = new(\"gates\", inputWidth: {layout.InputWidth}, gates: {Gates(spec).Count}, experts: {a.Experts}, units: {SourceWriter.IntArray(a.GateUnits)}, regularization);");
    }

    public IReadOnlyList<string> Forward(SourceWriter w, ModelSpec spec)
    {
        w.Line("var mixed = gates.forward(input, experts.forward(input));");
        var gates = Gates(spec);
        for (var g = 0; g < gates.Count; g++)
            w.Line($"var {gates[g]} = mixed.select(1, {g});");
        return TowerInputs(spec);
    }

    public (string Value, bool Stacked) Export(SourceWriter w, ModelSpec spec)
    {
        w.Line("var mixed = gates.Export(g, input, experts.Export(g, input));");
        if (!spec.Architecture.SharedGate)
            return ("mixed", true);   // gate t's mix is task t's input
        w.Line("var mixed_shared = g.Select(mixed, 0);");
        return ("mixed_shared", false);
    }

    public string SharedWeight(ModelSpec spec) => "experts.LastWeight";

    public int TowerInputWidth(ModelSpec spec, ModelLayout layout) => spec.Architecture.ExpertUnits[spec.Architecture.ExpertUnits.Count - 1];

    public string Describe(ModelSpec spec) =>
        $"{(spec.Architecture.SharedGate ? "OMoE" : "MMoE")}, {spec.Architecture.Experts} experts [{string.Join(", ", spec.Architecture.ExpertUnits)}]{ProgressiveLayeredExtractionEmitter.Normalized(spec)}";

    /// <summary>The local holding each gate's mix, in gate order.</summary>
    private static List<string> Gates(ModelSpec spec) =>
        spec.Architecture.SharedGate ? ["mixed_shared"] : spec.Tasks.Select(t => $"mixed_{t.Name}").ToList();

    private static List<string> TowerInputs(ModelSpec spec) =>
        spec.Tasks.Select(t => spec.Architecture.SharedGate ? "mixed_shared" : $"mixed_{t.Name}").ToList();
}
