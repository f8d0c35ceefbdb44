using System.Collections.Generic;
using System.Linq;
using Onnx;

namespace ModelDsl.Onnx;

/// <summary>
/// The inputs of a model with learned vocabularies: raw ids in <c>categorical</c> and raw strings in <c>strings</c>, which
/// one ai.onnx.ml <c>LabelEncoder</c> per learned feature maps to rows (a value not kept to the out-of-vocabulary row), so
/// any ONNX Runtime host feeds values, not rows. The rest of the graph reads the rows as it reads a plain <c>categorical</c> input.
/// </summary>
internal static class VocabularyExport
{
    /// <summary>Declares the inputs and returns the [batch, categorical columns] rows, in schema column order.</summary>
    /// <exception cref="System.InvalidOperationException">A vocabulary is not learned yet.</exception>
    public static string Rows(OnnxGraphBuilder g, ModelSchema schema, LearnedVocabularies vocabularies)
    {
        var ids = schema.CategoricalInputCount > 0 ? g.Input(OnnxMetadata.CategoricalInput, TensorProto.Types.DataType.Int64, schema.CategoricalInputCount) : null;
        var strings = schema.StringInputCount > 0 ? g.Input(OnnxMetadata.StringInput, TensorProto.Types.DataType.String, schema.StringInputCount) : null;
        var parts = new List<string>();
        int idColumn = 0, runStart = 0, stringColumn = 0;
        for (var i = 0; i < schema.Features.Count; i++)
        {
            var feature = schema.Features[i];
            if (feature.Kind != FeatureKind.Categorical)
                continue;
            if (feature.Learned is null)
            {
                idColumn += feature.Size;
                continue;
            }
            // Columns without a vocabulary pass through as runs.
            if (idColumn > runStart)
                parts.Add(g.Columns(ids!, runStart, idColumn - runStart));
            var vocabulary = vocabularies.Of(i);
            var values = vocabulary.IsStrings ? g.Columns(strings!, stringColumn++, 1) : g.Columns(ids!, idColumn++, 1);
            parts.Add(Encoder(g, values, vocabulary));
            runStart = idColumn;
        }
        if (idColumn > runStart)
            parts.Add(g.Columns(ids!, runStart, idColumn - runStart));
        return g.Concat(parts, axis: 1);
    }

    /// <summary>LabelEncoder: the value at index i to row i, any other to the out-of-vocabulary row.</summary>
    private static string Encoder(OnnxGraphBuilder g, string values, LearnedVocabulary vocabulary) =>
        g.MlNode("LabelEncoder", [values],
            vocabulary.IsStrings ? OnnxGraphBuilder.Attribute("keys_strings", vocabulary.Strings) : OnnxGraphBuilder.Attribute("keys_int64s", vocabulary.Ids),
            OnnxGraphBuilder.Attribute("values_int64s", Enumerable.Range(0, vocabulary.Count).Select(row => (long)row)),
            OnnxGraphBuilder.Attribute("default_int64", (long)vocabulary.OutOfVocabularyRow));
}
