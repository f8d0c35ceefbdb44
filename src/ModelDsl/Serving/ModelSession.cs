using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using ModelDsl.Onnx;

namespace ModelDsl.Serving;

/// <summary>Opens an exported model file after checking its integrity, and that it was exported from the expected spec.</summary>
internal static class ModelSession
{
    public static InferenceSession Open(string path, ModelSchema schema, SessionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(path);
        var (bytes, metadata, hasExternalData) = OnnxModelFile.Read(path);
        CheckFingerprint(path, metadata, schema);
        InferenceSession session;
        using var defaults = options is null ? DefaultOptions() : null;
        try
        {
            // External data is found relative to the model's path; a model held in memory has none to find.
            session = hasExternalData
                ? new InferenceSession(path, options ?? defaults!)
                : new InferenceSession(bytes, options ?? defaults!);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFileException($"'{path}' is not a valid ONNX model: {e.Message}", e);
        }
        try
        {
            CheckOutputs(path, session, schema);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One intra-op thread. ONNX Runtime's own default, one spinning worker per core, was never faster on the
    /// reference MMoE (2 cores: 0.99× at one candidate, 0.78–0.9× at 1,000) and its spinning workers fight
    /// whatever else shares the host; a server gets its parallelism from concurrent requests instead
    /// (docs/benchmarks.md). Pass <see cref="SessionOptions"/> to choose otherwise.
    /// </summary>
    private static SessionOptions DefaultOptions() => new() { IntraOpNumThreads = 1, InterOpNumThreads = 1 };

    private static void CheckFingerprint(string path, Dictionary<string, string> metadata, ModelSchema schema)
    {
        if (!metadata.TryGetValue(OnnxMetadata.Fingerprint, out var fingerprint))
            throw new ModelFileException(
                $"ONNX model '{path}' has no '{OnnxMetadata.Fingerprint}' metadata: it was not exported by ModelDsl, so {schema.Name} cannot serve it.");
        if (fingerprint != schema.Fingerprint)
        {
            var model = metadata.TryGetValue(OnnxMetadata.Model, out var name) ? name : "an unknown model";
            throw new ModelFileException(
                $"ONNX model '{path}' was exported from {model} (fingerprint {fingerprint}), but this predictor serves {schema.Name} (fingerprint {schema.Fingerprint}): features, tasks or architecture differ. Export the model again from this spec.");
        }
    }

    /// <summary>Every output the predictor binds must be float, one value per candidate, [batch], or a multiclass task's class probabilities, [batch, classes].</summary>
    private static void CheckOutputs(string path, InferenceSession session, ModelSchema schema)
    {
        foreach (var output in schema.Outputs)
        {
            if (!session.OutputMetadata.TryGetValue(output.Name, out var declared))
                throw new ModelFileException($"ONNX model '{path}' has no output '{output.Name}'.");
            int[] expected = output.Width == 1 ? [-1] : [-1, output.Width];
            if (declared.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float
                || !declared.Dimensions.SequenceEqual(expected))
                throw new ModelFileException(
                    $"ONNX model '{path}' declares output '{output.Name}' as {declared.ElementDataType} [{string.Join(", ", declared.Dimensions.Select((d, i) => d == -1 ? declared.SymbolicDimensions[i] : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}], not Float "
                    + (output.Width == 1
                        ? $"[{OnnxGraphBuilder.BatchDim}]: one value per candidate."
                        : $"[{OnnxGraphBuilder.BatchDim}, {output.Width}]: the probability of each of its {output.Width} classes per candidate."));
        }
    }
}
