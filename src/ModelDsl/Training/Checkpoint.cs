using System;
using System.IO;
using System.Text;
using ModelDsl.IO;
using ModelDsl.Layers;

namespace ModelDsl.Training;

/// <summary>
/// Weight files: a header (magic, format version, spec fingerprint) followed by TorchSharp's state
/// dictionary, so loading a file of another spec fails with a clear message instead of a shape error.
/// </summary>
internal static class Checkpoint
{
    private const string Magic = "MODELDSL-WEIGHTS";
    private const int FormatVersion = 1;

    public static void Save(string path, MultiTaskNetwork network) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(network.Schema.Fingerprint);
            network.save(writer);
        });

    public static void Load(string path, MultiTaskNetwork network)
    {
        if (!File.Exists(path))
            throw new ModelFileException($"Weights file '{path}' does not exist.");
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        string magic, fingerprint;
        int version;
        try
        {
            magic = reader.ReadString();
            version = reader.ReadInt32();
            fingerprint = reader.ReadString();
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            throw new ModelFileException($"Weights file '{path}' is not a ModelDsl weights file (its header is unreadable).", e);
        }
        if (magic != Magic || version != FormatVersion)
            throw new ModelFileException($"Weights file '{path}' is not a ModelDsl weights file of format {FormatVersion}.");
        if (fingerprint != network.Schema.Fingerprint)
            throw new ModelFileException(
                $"Weights file '{path}' was saved from a model spec with fingerprint {fingerprint}, but {network.Schema.Name} has fingerprint {network.Schema.Fingerprint}: its features, tasks or architecture differ.");
        try
        {
            network.load(reader);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelFileException($"Weights file '{path}' is truncated or damaged: {e.Message}", e);
        }
    }
}
