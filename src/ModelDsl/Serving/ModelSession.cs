using System;
using System.IO;
using Microsoft.ML.OnnxRuntime;
using ModelDsl.Onnx;

namespace ModelDsl.Serving;

/// <summary>Opens an exported model file and checks it was exported from the expected spec.</summary>
internal static class ModelSession
{
    public static InferenceSession Open(string path, ModelSchema schema, SessionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw new ModelFileException($"'{path}' is a directory, not an ONNX model file.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"ONNX model file '{path}' cannot be read: {e.Message}", e);
        }
        InferenceSession session;
        try
        {
            session = options is null ? new InferenceSession(bytes) : new InferenceSession(bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFileException($"'{path}' is not a valid ONNX model: {e.Message}", e);
        }
        try
        {
            Check(path, session, schema);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static void Check(string path, InferenceSession session, ModelSchema schema)
    {
        var metadata = session.ModelMetadata.CustomMetadataMap;
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
}
