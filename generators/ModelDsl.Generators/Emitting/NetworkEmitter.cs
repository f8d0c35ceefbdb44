using System.Collections.Generic;
using System.Linq;
using ModelDsl.Generators.Emitting.Architectures;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>
/// Emits <c>Network</c>: the TorchSharp module of the spec, one field per layer (field names are the
/// checkpoint keys), and its forward pass written out so a person can step through it:
/// embeddings → (EPNet) → architecture → one tower per task (scaled by PPNet).
/// </summary>
internal static class NetworkEmitter
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";

    public static string Emit(ModelSpec spec, ModelLayout layout) => SourceWriter.File(spec, w =>
    {
        var architecture = ArchitectureEmitters.For(spec.Architecture.Kind);
        w.Line($"/// <summary>The TorchSharp network of <see cref=\"{SourceWriter.Identifier(spec.ClassName)}\"/>: {DescribeGate("EPNet", spec.EmbeddingPersonalization)}{architecture.Describe(spec)}; {DescribeGate("PPNet", spec.ParameterPersonalization)}towers for {string.Join(", ", spec.Tasks.Select(t => t.Name))}.</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Open("public sealed partial class Network : global::ModelDsl.Layers.MultiTaskNetwork");
        foreach (var group in layout.Groups)
            w.Line($"private readonly global::ModelDsl.Layers.EmbeddingGroup {ModelLayout.GroupField(group)};");
        if (HasTransforms(layout))
            w.Line($"private readonly global::ModelDsl.Layers.NumericTransforms {TransformsField};");
        if (spec.EmbeddingPersonalization is not null)
            w.Line($"private readonly global::ModelDsl.Layers.PriorGate {Personalization.EmbeddingField};");
        architecture.Fields(w, spec);
        if (spec.ParameterPersonalization is not null)
            w.Line($"private readonly global::ModelDsl.Layers.TowerGates {Personalization.TowerField};");
        foreach (var task in spec.Tasks)
            w.Line($"private readonly global::ModelDsl.Layers.Tower {TowerField(task)};");
        foreach (var task in Imputed(spec))
            w.Line($"private readonly global::ModelDsl.Layers.Tower {ImputationField(task)}; // ESCM²-DR, training only");
        if (Fused(spec))
            w.Line("private readonly global::ModelDsl.Layers.FusedMixture fused; // the training forward as one CPU operation, where its layers allow");
        w.Line();

        w.Line("/// <summary>Creates the network with freshly initialized weights (seed with <c>torch.manual_seed</c> first).</summary>");
        w.Open($"public Network() : base({SourceWriter.Literal(spec.ClassName)}, {SourceWriter.SchemaReference(spec)})");
        w.Line($"var regularization = {SourceWriter.SchemaReference(spec)}.Regularization;");
        var column = 0;
        foreach (var group in layout.Groups)
        {
            var field = ModelLayout.GroupField(group);
            var start = $"{field} = new({SourceWriter.Literal(field)}, firstColumn: {column}, totalColumns: {layout.CategoricalWidth}, dim: {group[0].Dim}, ";
            var names = string.Join(", ", group.Select(f => f.Name));
            if (ModelLayout.IsPlain(group))
                w.Line($"{start}vocabularies: {SourceWriter.IntArray(group.Select(f => f.Rows))}); // {names}");
            else
            {
                var segments = ModelLayout.Segments(group);
                w.Line($"{start}segments: {SourceWriter.IntArray(segments.Select(f => f.Rows))}, slots: new global::ModelDsl.Layers.EmbeddingSlot[]");
                w.Line("{");
                foreach (var f in group)
                {
                    var segment = segments.Select(x => x.SegmentKey).ToList().IndexOf(f.SegmentKey);
                    w.Line(f.IsSequence
                        ? $"    new({segment}, {f.MaxLength}, {SourceWriter.Enum(f.Pooling)}), // {f.Name}"
                        : $"    new({segment}), // {f.Name}");
                }
                w.Line("});");
            }
            column += group.Sum(f => f.Width);
        }
        if (HasTransforms(layout))
            w.Line($"{TransformsField} = new({SourceWriter.Literal(TransformsField)}, new[] {{ {string.Join(", ", layout.Numeric.SelectMany(f => Enumerable.Repeat(SourceWriter.Enum(f.Transform), f.Width)))} }});");
        if (spec.EmbeddingPersonalization is { } ep)
            w.Line($"{Personalization.EmbeddingField} = new({SourceWriter.Literal(Personalization.EmbeddingField)}, priorColumns: {SourceWriter.IntArray(Personalization.PriorColumns(layout, ep))}, " +
                $"generalWidth: {layout.InputWidth}, units: {Personalization.EmbeddingGateUnits(ep, layout)}, outputWidth: {layout.InputWidth}); // {string.Join(", ", ep.Priors)}");
        architecture.Construct(w, spec, layout);
        if (spec.ParameterPersonalization is { } pp)
            w.Line($"{Personalization.TowerField} = new({SourceWriter.Literal(Personalization.TowerField)}, priorColumns: {SourceWriter.IntArray(Personalization.PriorColumns(layout, pp))}, " +
                $"generalWidth: {layout.InputWidth}, gateUnits: {SourceWriter.IntArray(Personalization.TowerGateUnits(spec, pp))}, " +
                $"towers: new global::System.Collections.Generic.IReadOnlyList<int>[] {{ {string.Join(", ", spec.Tasks.Select(t => SourceWriter.IntArray(t.Tower)))} }}); // {string.Join(", ", pp.Priors)}");
        var towerWidth = architecture.TowerInputWidth(spec, layout);
        foreach (var task in spec.Tasks)
            w.Line($"{TowerField(task)} = new({SourceWriter.Literal(TowerField(task))}, inputWidth: {towerWidth}, units: {SourceWriter.IntArray(task.Tower)}, regularization{(task.Width > 1 ? $", outputs: {task.Width}" : "")});");
        foreach (var task in Imputed(spec))
            w.Line($"{ImputationField(task)} = new({SourceWriter.Literal(ImputationField(task))}, inputWidth: {towerWidth}, units: {SourceWriter.IntArray(task.Tower)}, regularization);");
        if (Fused(spec))
        {
            var towers = spec.Tasks.Select(TowerField).Concat(Imputed(spec).Select(ImputationField));
            var gates = spec.Tasks.Select((t, i) => spec.Architecture.SharedGate ? 0 : i).Concat(spec.Tasks.Select((t, i) => (t, i)).Where(x => x.t.HasImputation).Select(x => spec.Architecture.SharedGate ? 0 : x.i));
            // The embeddings go along where the input is their outputs and the numeric input as given: then whole training steps can run fused.
            var embeddings = spec.EmbeddingPersonalization is null && !HasTransforms(layout) && layout.Groups.Count > 0
                ? $", embeddings: new[] {{ {string.Join(", ", layout.Groups.Select(ModelLayout.GroupField))} }}"
                : "";
            w.Line($"fused = new(inputWidth: {layout.InputWidth}, experts, gates, new[] {{ {string.Join(", ", towers)} }}, towerGates: {SourceWriter.IntArray(gates)}{embeddings});");
        }
        w.Line("RegisterComponents();");
        w.Close();
        w.Line();

        w.Line("/// <inheritdoc/>");
        w.Line($"public override {Tensor} SharedWeight => {architecture.SharedWeight(spec)};");
        w.Line();
        if (Fused(spec))
        {
            w.Line("/// <inheritdoc/>");
            w.Line("public override global::ModelDsl.Layers.FusedMixture Fused => fused;");
            w.Line();
        }
        w.Line(Imputed(spec).Any()
            ? "/// <summary>One output column per task, in task order: logits of binary tasks (conditional ones for Given tasks), values of regression tasks; then, for training only, the imputed errors of the ESCM²-DR tasks (<see cref=\"global::ModelDsl.ModelSchema.ImputedTasks\"/>).</summary>"
            : spec.Tasks.Any(t => t.Kind == TaskKind.Multiclass)
            ? "/// <summary>Output columns in task order: logits of binary tasks (conditional ones for Given tasks), values of regression tasks, one logit per class of multiclass tasks.</summary>"
            : "/// <summary>One output column per task, in task order: logits of binary tasks (conditional ones for Given tasks), values of regression tasks.</summary>");
        w.Open($"public override {Tensor} forward({Tensor} categorical, {Tensor} numeric)");
        var parts = layout.Groups.Select(g => $"{ModelLayout.GroupField(g)}.forward(categorical)").ToList();
        if (layout.Numeric.Count > 0)
            parts.Add(HasTransforms(layout) ? $"{TransformsField}.forward(numeric)" : "numeric");
        if (spec.EmbeddingPersonalization is null)
            w.Line($"var input = {Concat(parts)};");
        else
        {
            w.Line($"var {Embedded} = {Concat(parts)};");
            w.Line($"var input = {Embedded} * {Personalization.EmbeddingField}.forward({Embedded}, {Embedded});");
        }
        if (Fused(spec))
        {
            w.Line("if (fused.TryForward(input) is { } fusedOutputs)");
            w.Line("    return fusedOutputs;");
        }
        var towerInputs = architecture.Forward(w, spec);
        var scaled = spec.ParameterPersonalization is not null;
        if (scaled)
            w.Line($"var scales = {Personalization.TowerField}.forward({PriorSource(spec)}, input);");
        var columns = spec.Tasks.Select((t, i) => $"{TowerField(t)}.forward({towerInputs[i]}{(scaled ? $", scales[{i}]" : "")})")
            .Concat(spec.Tasks.Select((t, i) => (t, i)).Where(x => x.t.HasImputation).Select(x => $"{ImputationField(x.t)}.forward({towerInputs[x.i]})"));
        w.Line($"return {Concat(columns.ToList())};");
        w.Close();
        w.Close();
    });

    public static string TowerField(TaskSpec task) => $"tower_{task.Name}";

    /// <summary>
    /// Whether the network asks <c>FusedMixture</c> for its training forward first: mixtures of experts whose towers
    /// read only their gate's mix (no PPNet). The runtime decides the rest (activations, dropout, gate layers, device).
    /// </summary>
    private static bool Fused(ModelSpec spec) => spec.Architecture.Kind == ArchitectureKind.MixtureOfExperts && spec.ParameterPersonalization is null;

    private static string DescribeGate(string name, PersonalizationSpec? gate) => gate is null ? "" : $"{name} ({string.Join(", ", gate.Priors)}), ";

    /// <summary>The local holding the embedded input before EPNet scales it.</summary>
    public const string Embedded = "embedded";

    /// <summary>Where PEPNet's gates take their priors: the embedded input, before EPNet scales it.</summary>
    public static string PriorSource(ModelSpec spec) => spec.EmbeddingPersonalization is null ? "input" : Embedded;

    /// <summary>The field of a task's ESCM²-DR imputation tower: it reads what the task's tower reads, with the same units.</summary>
    public static string ImputationField(TaskSpec task) => $"imputation_{task.Name}";

    /// <summary>The tasks with an imputation tower, in task order (<c>ModelSchema.ImputedTasks</c>).</summary>
    public static IEnumerable<TaskSpec> Imputed(ModelSpec spec) => spec.Tasks.Where(t => t.HasImputation);

    public const string TransformsField = "numeric_transforms";

    public static bool HasTransforms(ModelLayout layout) => layout.Numeric.Any(f => f.Transform != NumericTransform.None);

    private static string Concat(List<string> parts) =>
        parts.Count == 1 ? parts[0] : $"global::TorchSharp.torch.cat(new[] {{ {string.Join(", ", parts)} }}, 1)";
}
