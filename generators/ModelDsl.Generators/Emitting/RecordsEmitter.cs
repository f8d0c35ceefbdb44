using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>
/// Emits <c>Features</c> (the inference input, with the one encoder training and serving share),
/// <c>Prediction</c> (one member per task) and <c>ToFeatures()</c>.
/// </summary>
internal static class RecordsEmitter
{
    public static string Emit(ModelSpec spec, ModelLayout layout) => SourceWriter.File(spec, w =>
    {
        var parameters = string.Join(", ", spec.Features.Select(f => $"{f.Type} {SourceWriter.Identifier(f.Name)}"));
        w.Line($"/// <summary>The inputs of <see cref=\"{spec.ClassName}\"/> that the model scores: one candidate.</summary>");
        w.Open($"public readonly record struct Features({parameters})");
        w.Line("/// <summary>Writes this candidate's model inputs: categorical ids and numeric values in input column order.</summary>");
        w.Line("/// <exception cref=\"global::ModelDsl.ModelDataException\">An id outside its vocabulary or a number that is not finite.</exception>");
        w.Open("public void Encode(global::System.Span<long> categorical, global::System.Span<float> numeric)");
        foreach (var f in layout.Categorical)
            w.Line($"categorical[{layout.ColumnOf(f)}] = global::ModelDsl.FeatureValues.Categorical({SourceWriter.Identifier(f.Name)}, {f.Vocabulary}, {SourceWriter.Literal($"{spec.ClassName}.{f.Name}")});");
        foreach (var f in layout.Numeric)
            w.Line(f.IsVector
                ? $"global::ModelDsl.FeatureValues.Numeric({SourceWriter.Identifier(f.Name)}, numeric.Slice({layout.ColumnOf(f)}, {f.Size}), {SourceWriter.Literal($"{spec.ClassName}.{f.Name}")});"
                : $"numeric[{layout.ColumnOf(f)}] = global::ModelDsl.FeatureValues.Numeric({SourceWriter.Identifier(f.Name)}, {SourceWriter.Literal($"{spec.ClassName}.{f.Name}")});");
        w.Close();
        w.Close();
        w.Line();

        w.Line("/// <summary>What the model predicts for one candidate.</summary>");
        foreach (var output in layout.Outputs)
            w.Line($"/// <param name=\"{output.Name}\">{Describe(output)}</param>");
        w.Line($"public readonly record struct Prediction({string.Join(", ", layout.Outputs.Select(o => $"float {SourceWriter.Identifier(o.Name)}"))});");
        w.Line();
        w.Line("/// <summary>This sample's features.</summary>");
        w.Line($"public Features ToFeatures() => new({string.Join(", ", spec.Features.Select(f => SourceWriter.Identifier(f.Name)))});");
    });

    private static string Describe(OutputSpec output) => output.Kind switch
    {
        OutputKind.Probability when output.Task.Given.Length > 0 => $"Joint probability of {output.Task.Name} and its Given chain (ESMM).",
        OutputKind.Probability => $"Probability of {output.Task.Name}.",
        OutputKind.Conditional => $"Probability of {output.Task.Name} given {output.Task.Given}.",
        OutputKind.Odds => $"Odds e^logit of {output.Task.Name}; with positives weighted by its sample weight, an estimate of the expected weight (YouTube).",
        _ => $"Predicted {output.Task.Name}.",
    };
}
