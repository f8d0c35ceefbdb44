using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>Emits <c>Schema</c>: the spec as runtime data for the trainer, the exporter and the predictor.</summary>
internal static class SchemaEmitter
{
    public static string Emit(ModelSpec spec, ModelLayout layout) => SourceWriter.File(spec, w =>
    {
        var r = spec.Regularization;
        w.Line("/// <summary>The runtime description of this model spec.</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Line("public static global::ModelDsl.ModelSchema Schema { get; } = new(");
        w.Line($"    {SourceWriter.Literal(spec.FullName)},");
        w.Line($"    {SourceWriter.Literal(Fingerprint.Of(spec))},");
        w.Line("    new global::ModelDsl.FeatureInfo[]");
        w.Line("    {");
        foreach (var f in layout.Categorical)
            w.Line($"        new({SourceWriter.Literal(f.Name)}, {SourceWriter.Enum(FeatureKind.Categorical)}, Column: {layout.ColumnOf(f)}, Vocabulary: {f.Vocabulary}, Dim: {f.Dim}{(f.IsSequence ? $", Size: {f.MaxLength}" : "")}{(f.IsHashed ? ", IsHashed: true" : "")}{(f.IsLearned ? $", Learned: new(MinCount: {f.MinCount}, Strings: {(f.Type.IsString ? "true" : "false")})" : "")}),");
        foreach (var f in layout.Numeric)
            w.Line($"        new({SourceWriter.Literal(f.Name)}, {SourceWriter.Enum(FeatureKind.Numeric)}, Column: {layout.ColumnOf(f)}{(f.IsVector ? $", Size: {f.Size}" : "")}),");
        w.Line("    },");
        w.Line("    new global::ModelDsl.TaskInfo[]");
        w.Line("    {");
        foreach (var t in spec.Tasks)
        {
            var given = t.Given.Length == 0 ? "" : $", Given: {spec.IndexOf(t.Given)}";
            var weighting = spec.WeightOf(t) is { } weight ? $", Weighting: {SourceWriter.Enum(weight.PositivesOnly ? SampleWeighting.PositivesOnly : SampleWeighting.All)}" : "";
            var classes = t.Kind == TaskKind.Multiclass ? $", Classes: {t.ClassCount}" : "";
            var counterfactual = t.Counterfactual == CounterfactualRegularizer.None ? ""
                : $" {{ Counterfactual = new({SourceWriter.Enum(t.Counterfactual)}, Weight: {SourceWriter.Literal(t.CounterfactualWeight)}, PropensityFloor: {SourceWriter.Literal(t.PropensityFloor)}) }}";
            w.Line($"        new({SourceWriter.Literal(t.Name)}, {SourceWriter.Enum(t.Kind)}, LossWeight: {SourceWriter.Literal(t.LossWeight)}{given}{weighting}{classes}){counterfactual},");
        }
        w.Line("    },");
        w.Line("    new global::ModelDsl.OutputInfo[]");
        w.Line("    {");
        foreach (var o in layout.Outputs)
            w.Line($"        new({SourceWriter.Literal(o.Name)}, Task: {spec.IndexOf(o.Task.Name)}, {SourceWriter.Enum(o.Kind)}{(o.Width > 1 ? $", Width: {o.Width}" : "")}),");
        w.Line("    },");
        var lossWeighting = spec.LossWeighting;
        w.Line($"    new global::ModelDsl.RegularizationSettings(EmbeddingL2: {SourceWriter.Literal(r.EmbeddingL2)}, DenseL2: {SourceWriter.Literal(r.DenseL2)}, Dropout: {SourceWriter.Literal(r.Dropout)}, {SourceWriter.Enum(r.Activation)})){(lossWeighting == LossWeightingSpec.Default ? ";" : "")}");
        if (lossWeighting != LossWeightingSpec.Default)
            w.Line($"{{ LossWeighting = new({SourceWriter.Enum(lossWeighting.Strategy)}, Alpha: {SourceWriter.Literal(lossWeighting.Alpha)}, Temperature: {SourceWriter.Literal(lossWeighting.Temperature)}) }};");
    });
}
