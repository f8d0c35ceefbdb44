using System.Globalization;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>Emits <c>Trainer</c>: the runtime training loop bound to this model's samples and network.</summary>
internal static class TrainerEmitter
{
    public static string Emit(ModelSpec spec, ModelLayout layout) => SourceWriter.File(spec, w =>
    {
        var model = SourceWriter.Identifier(spec.ClassName);
        w.Line($"/// <summary>Trains <see cref=\"Network\"/> on <see cref=\"{model}\"/> samples and exports it for the <see cref=\"Predictor\"/>.</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Open($"public sealed class Trainer : global::ModelDsl.Training.ModelTrainer<{model}>");
        w.Line("/// <summary>Creates a freshly initialized network, seeded from <paramref name=\"options\"/>.</summary>");
        w.Line("public Trainer(global::ModelDsl.Training.TrainingOptions? options = null)");
        w.Line($"    : base({SourceWriter.SchemaReference(spec)}, options, static () => new Network())");
        w.Line("{").Line("}");
        w.Line();
        w.Line("/// <summary>The network being trained.</summary>");
        w.Line("public new Network Network => (Network)base.Network;");
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open($"protected override void Encode({model} sample, global::System.Span<long> categorical, global::System.Span<float> numeric, global::System.Span<float> labels, global::System.Span<float> weights)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(sample);");
        var learned = spec.Features.Any(f => f.IsLearned);
        w.Line(learned ? "sample.ToFeatures().Encode(categorical, numeric, base.Network.Vocabularies);" : "sample.ToFeatures().Encode(categorical, numeric);");
        for (var t = 0; t < spec.Tasks.Count; t++)
            w.Line($"labels[{t}] = {Label(spec, spec.Tasks[t])};");
        for (var t = 0; t < spec.Tasks.Count; t++)
            if (spec.WeightOf(spec.Tasks[t]) is { } weight)
                w.Line($"weights[{t}] = global::ModelDsl.FeatureValues.SampleWeight(sample.{SourceWriter.Identifier(weight.Name)}, {SourceWriter.Literal($"{spec.ClassName}.{weight.Name}")});");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// What the TorchSharp network serves for each candidate, as the ONNX <see cref=\"Predictor\"/> gives it for the exported model:");
        w.Line("/// in evaluation mode without gradients, <c>BatchSize</c> candidates per batch. Refused while another operation runs.");
        w.Line("/// </summary>");
        w.Line("/// <exception cref=\"global::ModelDsl.ModelDataException\">A candidate holds a value the model cannot take; the message names its index and the member.</exception>");
        w.Line("/// <exception cref=\"global::System.InvalidOperationException\">Another operation is running on this trainer.</exception>");
        w.Line("public Prediction[] Predict(global::System.Collections.Generic.IEnumerable<Features> candidates) =>");
        // A learned vocabulary maps raw values to rows inside the exported graph; here the network reads rows.
        var vocabularies = learned ? ", base.Network.Vocabularies" : "";
        var lambda = learned ? "" : "static ";
        w.Line($"    Predict(candidates, {lambda}(candidate, categorical, numeric) => candidate.Encode(categorical, numeric{vocabularies}), Decode);");
        w.Line();
        w.Line($"/// <summary>What the TorchSharp network serves for each sample's features; see <see cref=\"Predict(global::System.Collections.Generic.IEnumerable{{Features}})\"/>.</summary>");
        w.Line("/// <exception cref=\"global::ModelDsl.ModelDataException\">A sample holds a value the model cannot take; the message names its index and the member.</exception>");
        w.Line("/// <exception cref=\"global::System.InvalidOperationException\">Another operation is running on this trainer.</exception>");
        w.Line($"public Prediction[] Predict(global::System.Collections.Generic.IEnumerable<{model}> samples) =>");
        w.Line($"    Predict(samples, {lambda}(sample, categorical, numeric) => (sample ?? throw new global::System.ArgumentNullException(nameof(samples), \"A sample is null.\")).ToFeatures().Encode(categorical, numeric{vocabularies}), Decode);");
        w.Line();
        w.Line($"private static Prediction Decode(global::System.ReadOnlySpan<float> outputs) => {PredictorEmitter.Decode(layout)};");
        if (learned)
            EmitCount(w, spec, layout);
        w.Close();
    });

    /// <summary>The first pass of a spec with learned vocabularies: each learned feature's value, by its index in the schema's features.</summary>
    private static void EmitCount(SourceWriter w, ModelSpec spec, ModelLayout layout)
    {
        var categorical = layout.Categorical;
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Open($"protected override void Count({SourceWriter.Identifier(spec.ClassName)} sample, global::ModelDsl.VocabularyCounts counts)");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(sample);");
        for (var i = 0; i < categorical.Count; i++)
            if (categorical[i] is { IsLearned: true } f)
                w.Line($"counts.Add({i}, sample.{SourceWriter.Identifier(f.Name)}{(f.Type.IsString ? ", " + RecordsEmitter.Member(spec, f) : "")});");
        w.Close();
    }

    private static string Label(ModelSpec spec, TaskSpec task)
    {
        var member = $"sample.{SourceWriter.Identifier(task.Name)}";
        var name = SourceWriter.Literal($"{spec.ClassName}.{task.Name}");
        return task.Kind switch
        {
            TaskKind.Binary when ElementTypes.Of(task.Type.Element).BinaryLabel is { } label => string.Format(CultureInfo.InvariantCulture, label, member),
            TaskKind.Binary => $"global::ModelDsl.FeatureValues.BinaryLabel({member}, {name})",
            TaskKind.Multiclass => $"global::ModelDsl.FeatureValues.ClassLabel({(task.EnumType.Length > 0 ? "(int)" : "")}{member}, {task.ClassCount}, {name})",
            _ => $"global::ModelDsl.FeatureValues.RegressionLabel({member}, {name})",
        };
    }
}
