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
    /// <remarks>
    /// Each input is cut by one Split, not a Slice per part: ONNX Runtime's cost per node is the single candidate's
    /// floor (docs/benchmarks.md), and a spec with several learned features would pay it per feature.
    /// </remarks>
    public static string Rows(OnnxGraphBuilder g, ModelSchema schema, LearnedVocabularies vocabularies)
    {
        // The categorical features in column order: runs of columns without a vocabulary pass through whole.
        var parts = new List<(int Width, int Feature)>();
        for (var i = 0; i < schema.Features.Count; i++)
        {
            var feature = schema.Features[i];
            if (feature.Kind != FeatureKind.Categorical)
                continue;
            if (feature.Learned is null && parts.Count > 0 && parts[^1].Feature < 0)
                parts[^1] = (parts[^1].Width + feature.Size, -1);
            else
                parts.Add((feature.Size, feature.Learned is null ? -1 : i));
        }
        var strings = parts.Where(p => p.Feature >= 0 && schema.Features[p.Feature].Learned!.Strings).ToList();
        var ids = parts.Where(p => !strings.Contains(p)).ToList();
        var idValues = Split(g, OnnxMetadata.CategoricalInput, TensorProto.Types.DataType.Int64, ids);
        var stringValues = Split(g, OnnxMetadata.StringInput, TensorProto.Types.DataType.String, strings);
        var rows = parts.Select(p =>
        {
            var value = strings.Contains(p) ? stringValues.Dequeue() : idValues.Dequeue();
            return p.Feature < 0 ? value : Encoder(g, value, vocabularies.Of(p.Feature));
        }).ToList();
        return g.Concat(rows, axis: 1);
    }

    /// <summary>Declares an input of the parts' columns, if any, and splits it into them.</summary>
    private static Queue<string> Split(OnnxGraphBuilder g, string name, TensorProto.Types.DataType type, List<(int Width, int Feature)> parts) =>
        parts.Count == 0 ? new() : new(g.SplitColumns(g.Input(name, type, parts.Sum(p => p.Width)), [.. parts.Select(p => (long)p.Width)]));

    /// <summary>LabelEncoder: the value at index i to row i, any other to the out-of-vocabulary row.</summary>
    private static string Encoder(OnnxGraphBuilder g, string values, LearnedVocabulary vocabulary) =>
        g.MlNode("LabelEncoder", [values],
            vocabulary.IsStrings ? OnnxGraphBuilder.Attribute("keys_strings", vocabulary.Strings) : OnnxGraphBuilder.Attribute("keys_int64s", vocabulary.Ids),
            OnnxGraphBuilder.Attribute("values_int64s", Enumerable.Range(0, vocabulary.Count).Select(row => (long)row)),
            OnnxGraphBuilder.Attribute("default_int64", (long)vocabulary.OutOfVocabularyRow));
}
