#if !MODELDSL_GENERATOR
using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Onnx;
#endif

namespace ModelDsl.Onnx;

/// <summary>
/// The metadata every exported model carries (ONNX <c>metadata_props</c>), readable by any ONNX
/// Runtime host: which spec it belongs to and how to feed it. The generator compiles the names too
/// (no task may be named like an input).
/// </summary>
#if !MODELDSL_GENERATOR
public
#endif
static class OnnxMetadata
{
    /// <summary>Full name of the model class.</summary>
    public const string Model = "modeldsl.model";

    /// <summary>Spec fingerprint; a predictor serves only a file with its own.</summary>
    public const string Fingerprint = "modeldsl.fingerprint";

    /// <summary>ModelDsl version that exported the file.</summary>
    public const string Version = "modeldsl.version";

    /// <summary>Columns of the <c>categorical</c> input: <c>name:vocabulary:dim</c>, comma separated; a sequence as <c>name[maxLength]:vocabulary:dim</c>, padded with −1.</summary>
    public const string Categorical = "modeldsl.categorical";

    /// <summary>Columns of the <c>numeric</c> input, comma separated; an array feature as <c>name[size]</c>.</summary>
    public const string Numeric = "modeldsl.numeric";

    /// <summary>Tasks: <c>name:kind</c>, comma separated.</summary>
    public const string Tasks = "modeldsl.tasks";

    /// <summary>Outputs: <c>name:kind</c>, comma separated, in output order.</summary>
    public const string Outputs = "modeldsl.outputs";

    /// <summary>
    /// The integrity digest: the file's last metadata entry, the SHA-256 of every byte before it (see
    /// docs/architecture.md). A predictor opens only a file whose digest matches.
    /// </summary>
    public const string Digest = "modeldsl.sha256";

    /// <summary>
    /// Where initializers too large to hold inline live: <c>file:length:sha256</c>, the external data file beside
    /// the model, its length in bytes and its SHA-256. Absent when every initializer is inline.
    /// </summary>
    public const string ExternalData = "modeldsl.external_data";

    /// <summary>
    /// Learned vocabularies: <c>name:size:outOfVocabularyRow</c>, comma separated, in column order. Present only when the spec
    /// has one; each such feature's raw values (ids in <c>categorical</c>, strings in <c>strings</c>) are mapped to rows by an
    /// ai.onnx.ml <c>LabelEncoder</c> in the graph.
    /// </summary>
    public const string Learned = "modeldsl.learned";

    /// <summary>Columns of the <c>strings</c> input, as <see cref="Categorical"/>; present only when the spec has learned string vocabularies.</summary>
    public const string Strings = "modeldsl.strings";

    /// <summary>Name of the string [batch, columns] input of learned string features' values, without surrounding white space.</summary>
    public const string StringInput = "strings";

    /// <summary>Name of the int64 [batch, columns] input of categorical ids.</summary>
    public const string CategoricalInput = "categorical";

    /// <summary>Name of the float [batch, columns] input of numeric features.</summary>
    public const string NumericInput = "numeric";

#if !MODELDSL_GENERATOR
    /// <summary>The metadata of a schema and its network's learned vocabularies.</summary>
    internal static IEnumerable<KeyValuePair<string, string>> For(ModelSchema schema, LearnedVocabularies vocabularies)
    {
        yield return new(Model, schema.Name);
        yield return new(Fingerprint, schema.Fingerprint);
        yield return new(Version, ModelSchema.LibraryVersion);
        var categorical = schema.Features.Where(f => f.Kind == FeatureKind.Categorical).ToList();
        yield return new(Categorical, Columns(categorical.Where(f => f.Learned is not { Strings: true })));
        if (vocabularies.Any)
        {
            yield return new(Learned, string.Join(",", vocabularies.All.Select(v => $"{v.Feature}:{v.Count}:{v.OutOfVocabularyRow}")));
            yield return new(Strings, Columns(categorical.Where(f => f.Learned is { Strings: true })));
        }
        yield return new(Numeric, string.Join(",", schema.Features.Where(f => f.Kind == FeatureKind.Numeric).Select(f => f.Size == 1 ? f.Name : $"{f.Name}[{f.Size}]")));
        yield return new(Tasks, string.Join(",", schema.Tasks.Select(t => $"{t.Name}:{t.Kind.ToString().ToLowerInvariant()}")));
        yield return new(Outputs, string.Join(",", schema.Outputs.Select(o => $"{o.Name}:{o.Kind.ToString().ToLowerInvariant()}")));
    }

    private static string Columns(IEnumerable<FeatureInfo> features) =>
        string.Join(",", features.Select(f => $"{(f.Size == 1 ? f.Name : $"{f.Name}[{f.Size}]")}:{f.Vocabulary}:{f.Dim}"));

    /// <summary>A serialized model's metadata, read from its top-level fields without parsing the graph.</summary>
    internal static Dictionary<string, string> Read(byte[] model)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var input = new CodedInputStream(model);
        var entryTag = WireFormat.MakeTag(ModelProto.MetadataPropsFieldNumber, WireFormat.WireType.LengthDelimited);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (tag != entryTag)
            {
                input.SkipLastField();
                continue;
            }
            var entry = new StringStringEntryProto();
            input.ReadMessage(entry);
            metadata[entry.Key] = entry.Value;
        }
        return metadata;
    }
#endif
}
