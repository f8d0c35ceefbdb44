using System.Linq;
using ModelDsl.Generators.Emitting.Architectures;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>
/// Emits the ONNX graph of <c>Network</c> up to its logits: the same layers in the same order as its
/// forward pass, each exporting its weights, the towers as one (<c>Tower.ExportAll</c>). What is served
/// from the logits (probabilities, joints, conditionals, odds) is the runtime's <c>TaskOutputs.Export</c>.
/// </summary>
internal static class OnnxEmitter
{
    public static string Emit(ModelSpec spec, ModelLayout layout) => SourceWriter.File(spec, w =>
    {
        w.Open("partial class Network");
        w.Line("/// <inheritdoc/>");
        w.Open("protected override string BuildOnnx(global::ModelDsl.Onnx.OnnxGraphBuilder g, string? categorical, string? numeric)");
        var parts = layout.Groups.Select(g => $"{ModelLayout.GroupField(g)}.Export(g, categorical!)").ToList();
        if (layout.Numeric.Count > 0)
            parts.Add(NetworkEmitter.HasTransforms(layout) ? $"{NetworkEmitter.TransformsField}.Export(g, numeric!)" : "numeric!");
        var embedded = parts.Count == 1 ? parts[0] : $"g.Concat(new[] {{ {string.Join(", ", parts)} }}, axis: 1)";
        if (spec.EmbeddingPersonalization is null)
            w.Line($"var input = {embedded};");
        else
        {
            w.Line($"var {NetworkEmitter.Embedded} = {embedded};");
            w.Line($"var input = g.Mul({NetworkEmitter.Embedded}, {Personalization.EmbeddingField}.Export(g, {NetworkEmitter.Embedded}, {NetworkEmitter.Embedded}));");
        }
        var (towerInput, stacked) = ArchitectureEmitters.For(spec.Architecture.Kind).Export(w, spec);
        var scales = "";
        if (spec.ParameterPersonalization is not null)
        {
            w.Line($"var scales = {Personalization.TowerField}.Export(g, {NetworkEmitter.PriorSource(spec)}, input);");
            scales = ", scales";
        }
        var towers = string.Join(", ", spec.Tasks.Select(NetworkEmitter.TowerField));
        w.Line($"return global::ModelDsl.Layers.Tower.ExportAll(g, new[] {{ {towers} }}, {towerInput}, stacked: {(stacked ? "true" : "false")}{scales});");
        w.Close();
        w.Close();
    });
}
