using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>Emits <c>Predictor</c>: the ONNX Runtime session behind typed <c>Features</c> and <c>Prediction</c>.</summary>
internal static class PredictorEmitter
{
    public static string Emit(ModelSpec spec, ModelLayout layout) => SourceWriter.File(spec, w =>
    {
        w.Line($"/// <summary>Scores candidates with a model exported by <see cref=\"Trainer\"/>; thread-safe.</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Open("public sealed class Predictor : global::ModelDsl.Serving.OnnxPredictor<Features, Prediction>");
        w.Line("/// <summary>Loads an exported model and checks it was exported from this spec.</summary>");
        w.Line("/// <exception cref=\"global::System.IO.FileNotFoundException\">The file does not exist.</exception>");
        w.Line("/// <exception cref=\"global::ModelDsl.ModelFileException\">The file is not an ONNX model or belongs to another spec.</exception>");
        w.Line("public Predictor(string path, global::Microsoft.ML.OnnxRuntime.SessionOptions? options = null)");
        w.Line($"    : base(path, {SourceWriter.SchemaReference(spec)}, options)");
        w.Line("{").Line("}");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("protected override void Encode(in Features features, global::System.Span<long> categorical, global::System.Span<float> numeric) =>");
        w.Line("    features.Encode(categorical, numeric);");
        if (layout.Categorical.Any(f => f.IsLearned && f.Type.IsString))
        {
            w.Line();
            w.Line("/// <inheritdoc/>");
            w.Line("protected override void EncodeStrings(in Features features, global::System.Span<string> strings) =>");
            w.Line("    features.EncodeStrings(strings);");
        }
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line("protected override Prediction Decode(global::System.ReadOnlySpan<float> outputs) =>");
        w.Line($"    {Decode(layout)};");
        w.Close();
    });

    /// <summary>
    /// A <c>Prediction</c> from a row of <c>outputs</c> in output order, each output taking its width (a multiclass task's
    /// probabilities, then its most likely class from them): the one mapping the ONNX predictor and <c>Trainer.Predict</c> share.
    /// </summary>
    public static string Decode(ModelLayout layout)
    {
        var column = 0;
        var members = new System.Collections.Generic.List<string>();
        foreach (var o in layout.Outputs)
        {
            if (o.Kind == OutputKind.ClassProbabilities)
            {
                var probabilities = $"outputs.Slice({column}, {o.Width})";
                var cast = o.Task.EnumType.Length > 0 ? $"({o.Task.EnumType})" : "";
                members.Add($"{SourceWriter.Identifier(o.Task.Name)}: {cast}global::ModelDsl.Metrics.MulticlassMetrics.MostLikely({probabilities})");
                members.Add($"{SourceWriter.Identifier(o.Name)}: {probabilities}.ToArray()");
            }
            else
                members.Add($"{SourceWriter.Identifier(o.Name)}: outputs[{column}]");
            column += o.Width;
        }
        return $"new({string.Join(", ", members)})";
    }
}
