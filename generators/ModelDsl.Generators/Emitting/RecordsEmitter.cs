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
        var parameters = string.Join(", ", spec.Features.Select(f => $"{ParameterType(f)} {SourceWriter.Identifier(f.Name)}"));
        w.Line($"/// <summary>The inputs of <see cref=\"{SourceWriter.Identifier(spec.ClassName)}\"/> that the model scores: one candidate.</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Open($"public readonly record struct Features({parameters})");
        var learned = layout.Categorical.Any(f => f.IsLearned);
        var learnedStrings = layout.Categorical.Any(f => f.IsLearned && f.Type.IsString) ? "; learned strings go to <see cref=\"EncodeStrings\"/>" : "";
        w.Line(learned
            ? $"/// <summary>Writes this candidate's ONNX model inputs: categorical ids (learned ones raw, which the model maps to rows{learnedStrings}) and numeric values in input column order.</summary>"
            : "/// <summary>Writes this candidate's model inputs: categorical ids (sequences padded with -1) and numeric values in input column order.</summary>");
        w.Line("/// <exception cref=\"global::ModelDsl.ModelDataException\">An id outside its vocabulary, a sequence too long, or a number that is not finite.</exception>");
        w.Open("public void Encode(global::System.Span<long> categorical, global::System.Span<float> numeric)");
        var strings = 0;
        foreach (var f in layout.Categorical)
        {
            // Learned strings have an input of their own, so the columns after them move left.
            if (f.IsLearned && f.Type.IsString)
                strings++;
            else
                w.Line(f.IsLearned ? $"categorical[{layout.ColumnOf(f) - strings}] = {SourceWriter.Identifier(f.Name)};" : EncodeCategorical(spec, f, layout.ColumnOf(f) - strings));
        }
        EncodeNumerics(w, spec, layout);
        w.Close();
        if (learned)
            EncodeRows(w, spec, layout);
        w.Close();
        w.Line();

        w.Line("/// <summary>What the model predicts for one candidate.</summary>");
        foreach (var output in layout.Outputs)
        {
            if (output.Kind == OutputKind.ClassProbabilities)
                w.Line($"/// <param name=\"{output.Task.Name}\">The most likely class of {output.Task.Name} (the first of the most likely).</param>");
            w.Line($"/// <param name=\"{output.Name}\">{Describe(output)}</param>");
        }
        w.Line(SourceWriter.GeneratedCode);
        w.Line($"public readonly record struct Prediction({string.Join(", ", layout.Outputs.Select(Parameter))});");
        w.Line();
        w.Line("/// <summary>This sample's features.</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Line($"public Features ToFeatures() => new({string.Join(", ", spec.Features.Select(f => SourceWriter.Identifier(f.Name)))});");
    });

    /// <summary>An output's Prediction member: a float, or a multiclass task's most likely class and its class probabilities.</summary>
    private static string Parameter(OutputSpec output) => output.Kind == OutputKind.ClassProbabilities
        ? $"{output.Task.ClassType} {SourceWriter.Identifier(output.Task.Name)}, float[] {SourceWriter.Identifier(output.Name)}"
        : $"float {SourceWriter.Identifier(output.Name)}";

    /// <summary>Reference types are nullable: a null is bad data the encoder reports, not a compile warning in generated code.</summary>
    private static string ParameterType(FeatureSpec f) => f.Type switch
    {
        { IsString: true, IsArray: true } => "string?[]?",
        { IsString: true } or { IsArray: true } => f.Type.Keyword + "?",
        _ => f.Type.Keyword,
    };

    /// <summary>
    /// A spec with learned vocabularies also gets the rows the network reads, which training encodes with the network's
    /// vocabularies (the ONNX model maps the raw values itself), and the <c>strings</c> input of the learned strings.
    /// </summary>
    private static void EncodeRows(SourceWriter w, ModelSpec spec, ModelLayout layout)
    {
        w.Line();
        w.Line("/// <summary>Writes this candidate's network inputs: embedding rows (learned values mapped by <paramref name=\"vocabularies\"/>) and numeric values in input column order.</summary>");
        w.Line("/// <exception cref=\"global::ModelDsl.ModelDataException\">An id outside its vocabulary, a null string, a sequence too long, or a number that is not finite.</exception>");
        w.Line("/// <exception cref=\"global::System.InvalidOperationException\">The vocabularies are not learned yet.</exception>");
        w.Open("public void Encode(global::System.Span<long> categorical, global::System.Span<float> numeric, global::ModelDsl.LearnedVocabularies vocabularies)");
        for (var i = 0; i < layout.Categorical.Count; i++)
        {
            var f = layout.Categorical[i];
            w.Line(f.IsLearned
                ? $"categorical[{layout.ColumnOf(f)}] = vocabularies.Row({i}, {SourceWriter.Identifier(f.Name)}{(f.Type.IsString ? ", " + Member(spec, f) : "")});"
                : EncodeCategorical(spec, f, layout.ColumnOf(f)));
        }
        EncodeNumerics(w, spec, layout);
        w.Close();
        var learnedStrings = layout.Categorical.Where(f => f.IsLearned && f.Type.IsString).ToList();
        if (learnedStrings.Count == 0)
            return;
        w.Line();
        w.Line("/// <summary>Writes this candidate's ONNX <c>strings</c> input: the learned string features' values without surrounding white space, in column order.</summary>");
        w.Line("/// <exception cref=\"global::ModelDsl.ModelDataException\">A value is null.</exception>");
        w.Open("public void EncodeStrings(global::System.Span<string> strings)");
        for (var j = 0; j < learnedStrings.Count; j++)
            w.Line($"strings[{j}] = global::ModelDsl.FeatureValues.LearnedString({SourceWriter.Identifier(learnedStrings[j].Name)}, {Member(spec, learnedStrings[j])});");
        w.Close();
    }

    private static void EncodeNumerics(SourceWriter w, ModelSpec spec, ModelLayout layout)
    {
        foreach (var f in layout.Numeric)
            w.Line(EncodeNumeric(spec, layout, f));
    }

    /// <summary>The member as messages name it, a string literal.</summary>
    public static string Member(ModelSpec spec, FeatureSpec f) => SourceWriter.Literal($"{spec.ClassName}.{f.Name}");

    private static string EncodeCategorical(ModelSpec spec, FeatureSpec f, int column)
    {
        var (value, member) = (SourceWriter.Identifier(f.Name), Member(spec, f));
        var policy = SourceWriter.Enum(f.OutOfVocabulary);
        // A sequence's missing policy rides along only where it has one, so models without stay as they were.
        var truncation = SourceWriter.Enum(f.Truncation) + (f.Missing != MissingValue.Error ? ", " + SourceWriter.Enum(f.Missing) : "");
        return f switch
        {
            { IsSequence: true, IsHashed: true } => $"global::ModelDsl.FeatureValues.Sequence({value}, categorical.Slice({column}, {f.MaxLength}), {f.Vocabulary}, {truncation}, {member});",
            { IsSequence: true } => $"global::ModelDsl.FeatureValues.Sequence({value}, categorical.Slice({column}, {f.MaxLength}), {f.Vocabulary}, {policy}, {truncation}, {member});",
            { IsHashed: true, Missing: MissingValue.Category } => $"categorical[{column}] = global::ModelDsl.FeatureValues.HashedOrMissing({value}, {f.Vocabulary});",
            { IsHashed: true } => $"categorical[{column}] = global::ModelDsl.FeatureValues.Hashed({value}, {f.Vocabulary}, {member});",
            { Type.IsNullable: true, Missing: MissingValue.Category } => $"categorical[{column}] = global::ModelDsl.FeatureValues.CategoricalOrMissing({value}, {f.Vocabulary}, {policy}, {member});",
            { OutOfVocabulary: OutOfVocabulary.Error } => $"categorical[{column}] = global::ModelDsl.FeatureValues.Categorical({Filled(f, value)}, {f.Vocabulary}, {member});",
            _ => $"categorical[{column}] = global::ModelDsl.FeatureValues.Categorical({Filled(f, value)}, {f.Vocabulary}, {policy}, {member});",
        };
    }

    /// <summary>A nullable id with its fill for a missing one, which lies in the vocabulary (MDSL031) and so passes the id's own check.</summary>
    private static string Filled(FeatureSpec f, string value) => f.Type.IsNullable ? $"{value} ?? {f.MissingId}" : value;

    private static string EncodeNumeric(ModelSpec spec, ModelLayout layout, FeatureSpec f)
    {
        var (value, column, member) = (SourceWriter.Identifier(f.Name), layout.ColumnOf(f), SourceWriter.Literal($"{spec.ClassName}.{f.Name}"));
        // Only Log1p restricts the domain; Standardize takes any finite value.
        var transform = (f.Transform & NumericTransform.Log1p) != 0 ? ", " + SourceWriter.Enum(NumericTransform.Log1p) : "";
        return f.IsVector
            ? $"global::ModelDsl.FeatureValues.Numeric({value}, numeric.Slice({column}, {f.Size}), {member}{transform});"
            : $"numeric[{column}] = global::ModelDsl.FeatureValues.Numeric({value}{Fill(f)}, {member}{transform});";
    }

    /// <summary>What a nullable member's missing value (null) stands for, the same in training and serving.</summary>
    private static string Fill(FeatureSpec f) =>
        f.Type.IsNullable ? " ?? " + f.MissingFill.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "d" : "";

    /// <summary>What an output means, for its Prediction member and the model summary.</summary>
    public static string Describe(OutputSpec output) => output.Kind switch
    {
        OutputKind.Probability when output.Task.Given.Length > 0 => $"Joint probability of {output.Task.Name} and its Given chain (ESMM).",
        OutputKind.Probability => $"Probability of {output.Task.Name}.",
        OutputKind.Conditional => $"Probability of {output.Task.Name} given {output.Task.Given}.",
        OutputKind.Odds => $"Odds e^logit of {output.Task.Name}; with positives weighted by its sample weight, an estimate of the expected weight (YouTube).",
        OutputKind.ClassProbabilities => $"Probability of each of the {output.Width} classes of {output.Task.Name}, indexed by class.",
        _ => $"Predicted {output.Task.Name}.",
    };
}
