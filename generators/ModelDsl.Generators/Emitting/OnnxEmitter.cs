using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>
/// Emits the ONNX graph of <c>Network</c>: the same layers in the same order as its forward pass,
/// each exporting its weights, then one named output per task (sigmoid for binary tasks).
/// </summary>
internal static class OnnxEmitter
{
    public static string Emit(ModelSpec spec, ModelLayout layout) => SourceWriter.File(spec, w =>
    {
        w.Open("partial class Network");
        w.Line("/// <inheritdoc/>");
        w.Open("protected override void BuildOnnx(global::ModelDsl.Onnx.OnnxGraphBuilder g, string? categorical, string? numeric)");
        var parts = layout.Groups.Select(g => $"{ModelLayout.GroupField(g)}.Export(g, categorical!)").ToList();
        if (layout.Numeric.Count > 0)
            parts.Add("numeric!");
        w.Line(parts.Count == 1 ? $"var input = {parts[0]};" : $"var input = g.Concat(new[] {{ {string.Join(", ", parts)} }}, axis: 1);");
        w.Line("var shared = bottom.Export(g, input);");
        foreach (var task in spec.Tasks)
        {
            var value = $"g.SqueezeColumn({NetworkEmitter.TowerField(task)}.Export(g, shared))";
            w.Line($"g.Output({SourceWriter.Literal(task.Name)}, {(task.Kind == TaskKind.Binary ? $"g.Sigmoid({value})" : value)});");
        }
        w.Close();
        w.Close();
    });
}
