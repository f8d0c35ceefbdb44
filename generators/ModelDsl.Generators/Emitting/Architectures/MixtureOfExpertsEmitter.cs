using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting.Architectures;

/// <summary>
/// Mixture of experts: all experts as one <c>ExpertGroup</c>; one gate per task (MMoE) or one shared
/// gate (OMoE); each tower reads its gate's mix of the experts.
/// </summary>
internal sealed class MixtureOfExpertsEmitter : IArchitectureEmitter
{
    public static readonly MixtureOfExpertsEmitter Instance = new();

    public void Fields(SourceWriter w, ModelSpec spec)
    {
        w.Line("private readonly global::ModelDsl.Layers.ExpertGroup experts;");
        foreach (var gate in Gates(spec))
            w.Line($"private readonly global::ModelDsl.Layers.Gate {gate};");
    }

    public void Construct(SourceWriter w, ModelSpec spec, ModelLayout layout)
    {
        var a = spec.Architecture;
        w.Line($"experts = new(\"experts\", inputWidth: {layout.InputWidth}, experts: {a.Experts}, units: {SourceWriter.IntArray(a.ExpertUnits)}, regularization);");
        foreach (var gate in Gates(spec))
            w.Line($"{gate} = new({SourceWriter.Literal(gate)}, inputWidth: {layout.InputWidth}, experts: {a.Experts}, units: {SourceWriter.IntArray(a.GateUnits)}, regularization);");
    }

    public IReadOnlyList<string> Forward(SourceWriter w, ModelSpec spec)
    {
        w.Line("var expertOutputs = experts.forward(input);");
        foreach (var gate in Gates(spec))
            w.Line($"var {Mixed(gate)} = {gate}.Mix(input, expertOutputs);");
        return TowerInputs(spec);
    }

    public IReadOnlyList<string> Export(SourceWriter w, ModelSpec spec)
    {
        var units = spec.Architecture.ExpertUnits[spec.Architecture.ExpertUnits.Count - 1];
        w.Line("var expertOutputs = experts.Export(g, input);");
        foreach (var gate in Gates(spec))
            w.Line($"var {Mixed(gate)} = {gate}.ExportMix(g, input, expertOutputs, units: {units});");
        return TowerInputs(spec);
    }

    public string SharedWeight(ModelSpec spec) => "experts.LastWeight";

    public int TowerInputWidth(ModelSpec spec, ModelLayout layout) => spec.Architecture.ExpertUnits[spec.Architecture.ExpertUnits.Count - 1];

    public string Describe(ModelSpec spec) =>
        $"{(spec.Architecture.SharedGate ? "OMoE" : "MMoE")}, {spec.Architecture.Experts} experts [{string.Join(", ", spec.Architecture.ExpertUnits)}]";

    private static IEnumerable<string> Gates(ModelSpec spec) =>
        spec.Architecture.SharedGate ? ["gate"] : spec.Tasks.Select(t => $"gate_{t.Name}");

    private static string Mixed(string gate) => gate.Replace("gate", "mixed");

    private static List<string> TowerInputs(ModelSpec spec) =>
        spec.Tasks.Select(t => spec.Architecture.SharedGate ? "mixed" : $"mixed_{t.Name}").ToList();
}
