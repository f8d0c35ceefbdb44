using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Emitting.Architectures;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>
/// Emits the ONNX graph of <c>Network</c>: the same layers in the same order as its forward pass, each
/// exporting its weights, the towers as one (<c>Tower.ExportAll</c>); then the logits' sigmoid in one node,
/// per task the columns it needs, joints along Given chains, and one named output per <c>Prediction</c> member.
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
            parts.Add(NetworkEmitter.HasTransforms(layout) ? $"{NetworkEmitter.TransformsField}.Export(g, numeric!)" : "numeric!");
        w.Line(parts.Count == 1 ? $"var input = {parts[0]};" : $"var input = g.Concat(new[] {{ {string.Join(", ", parts)} }}, axis: 1);");
        var (towerInput, stacked) = ArchitectureEmitters.For(spec.Architecture.Kind).Export(w, spec);
        var towers = string.Join(", ", spec.Tasks.Select(NetworkEmitter.TowerField));
        w.Line($"var logits = global::ModelDsl.Layers.Tower.ExportAll(g, new[] {{ {towers} }}, {towerInput}, stacked: {(stacked ? "true" : "false")});");
        if (spec.Tasks.Any(t => t.Kind == TaskKind.Binary))
            w.Line("var probabilities = g.Sigmoid(logits);");
        for (var t = 0; t < spec.Tasks.Count; t++)
        {
            var task = spec.Tasks[t];
            if (task.Kind == TaskKind.Regression || layout.Outputs.Any(o => o.Kind == OutputKind.Odds && o.Task == task))
                w.Line($"var logit_{task.Name} = g.Select(logits, {t});");
            if (task.Kind == TaskKind.Binary)
                w.Line($"var p_{task.Name} = g.Select(probabilities, {t});");
        }
        var joints = new HashSet<string>();
        foreach (var task in spec.Tasks.Where(t => t.Given.Length > 0))
            EmitJoint(w, spec, task, joints);
        foreach (var output in layout.Outputs)
            w.Line($"g.Output({SourceWriter.Literal(output.Name)}, {Value(output)});");
        w.Close();
        w.Close();
    });

    private static string Value(OutputSpec output) => output.Kind switch
    {
        OutputKind.Probability => Joint(output.Task),
        OutputKind.Conditional => $"p_{output.Task.Name}",
        OutputKind.Odds => $"g.Exp(logit_{output.Task.Name})",
        _ => $"logit_{output.Task.Name}",
    };

    private static string Joint(TaskSpec task) => task.Given.Length == 0 ? $"p_{task.Name}" : $"joint_{task.Name}";

    /// <summary>Writes p(chain) = p(given chain) · p(task | given), parents first.</summary>
    private static void EmitJoint(SourceWriter w, ModelSpec spec, TaskSpec task, HashSet<string> done)
    {
        if (task.Given.Length == 0 || !done.Add(task.Name))
            return;
        var given = spec.GivenOf(task)!;
        EmitJoint(w, spec, given, done);
        w.Line($"var joint_{task.Name} = g.Mul({Joint(given)}, p_{task.Name});");
    }
}
