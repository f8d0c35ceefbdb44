using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>
/// Emits <c>Network</c>: the TorchSharp module of the spec, one field per layer (field names are the
/// checkpoint keys), and its forward pass written out so a person can step through it.
/// </summary>
internal static class NetworkEmitter
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";

    public static string Emit(ModelSpec spec, ModelLayout layout) => SourceWriter.File(spec, w =>
    {
        w.Line($"/// <summary>The TorchSharp network of <see cref=\"{spec.ClassName}\"/>: {Describe(spec)}.</summary>");
        w.Open("public sealed partial class Network : global::ModelDsl.Layers.MultiTaskNetwork");
        foreach (var group in layout.Groups)
            w.Line($"private readonly global::ModelDsl.Layers.EmbeddingGroup {ModelLayout.GroupField(group)};");
        w.Line("private readonly global::ModelDsl.Layers.Mlp bottom;");
        foreach (var task in spec.Tasks)
            w.Line($"private readonly global::ModelDsl.Layers.Tower {TowerField(task)};");
        w.Line();

        w.Line("/// <summary>Creates the network with freshly initialized weights (seed with <c>torch.manual_seed</c> first).</summary>");
        w.Open($"public Network() : base({SourceWriter.Literal(spec.ClassName)}, {spec.SchemaReference})");
        w.Line($"var regularization = {spec.SchemaReference}.Regularization;");
        var column = 0;
        foreach (var group in layout.Groups)
        {
            var field = ModelLayout.GroupField(group);
            w.Line($"{field} = new({SourceWriter.Literal(field)}, firstColumn: {column}, totalColumns: {layout.Categorical.Count}, dim: {group[0].Dim}, vocabularies: {SourceWriter.IntArray(group.Select(f => f.Vocabulary))}); // {string.Join(", ", group.Select(f => f.Name))}");
            column += group.Count;
        }
        w.Line($"bottom = new(\"bottom\", inputWidth: {layout.InputWidth}, units: {SourceWriter.IntArray(spec.Architecture.Units)}, regularization);");
        foreach (var task in spec.Tasks)
            w.Line($"{TowerField(task)} = new({SourceWriter.Literal(TowerField(task))}, inputWidth: {layout.BottomWidth}, units: {SourceWriter.IntArray(task.Tower)}, regularization);");
        w.Line("RegisterComponents();");
        w.Close();
        w.Line();

        w.Line("/// <summary>One output column per task, in task order: logits of binary tasks, values of regression tasks.</summary>");
        w.Open($"public override {Tensor} forward({Tensor} categorical, {Tensor} numeric)");
        var parts = layout.Groups.Select(g => $"{ModelLayout.GroupField(g)}.forward(categorical)").ToList();
        if (layout.Numeric.Count > 0)
            parts.Add("numeric");
        w.Line($"var input = {Concat(parts)};");
        w.Line("var shared = bottom.forward(input);");
        w.Line($"return {Concat(spec.Tasks.Select(t => $"{TowerField(t)}.forward(shared)").ToList())};");
        w.Close();
        w.Close();
    });

    public static string TowerField(TaskSpec task) => $"tower_{task.Name}";

    private static string Concat(List<string> parts) =>
        parts.Count == 1 ? parts[0] : $"global::TorchSharp.torch.cat(new[] {{ {string.Join(", ", parts)} }}, 1)";

    private static string Describe(ModelSpec spec) =>
        $"Shared-Bottom [{string.Join(", ", spec.Architecture.Units)}], towers for {string.Join(", ", spec.Tasks.Select(t => t.Name))}";
}
