using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Google.Protobuf;
using ModelDsl.IO;
using Onnx;

namespace ModelDsl.Onnx;

/// <summary>
/// An exported model on disk: the <c>.onnx</c> file, ending in its <see cref="OnnxDigest"/>, and when some initializer
/// is too large to hold inline, one external data file beside it, <c>{model file}.{32 hex digits}.data</c>, named in
/// <see cref="OnnxMetadata.ExternalData"/> with its length and SHA-256. The set is replaced atomically: the data file
/// gets a new name on each export and is complete on disk before the model file that names it replaces the old one,
/// so a reader sees the old set or the new one; stale data files beside the model (of earlier exports, or left by
/// one that was killed) are deleted afterwards. Two exports to one path must not run at the same time.
/// </summary>
internal static partial class OnnxModelFile
{
    /// <summary>Initializers of this many bytes or more go to the external data file (1 GiB): smaller models stay one file.</summary>
    public const long ExternalDataThreshold = 1L << 30;

    /// <summary>External tensors start at multiples of this (64 KiB), so that ONNX Runtime can map them from the file.</summary>
    private const int Alignment = 1 << 16;

    private const string Noun = "ONNX model file";

    /// <summary>Writes <paramref name="model"/>, with <paramref name="external"/>'s bytes in an external data file; disposes the external tensors.</summary>
    public static void Write(string path, ModelProto model, IReadOnlyList<ExternalTensor> external)
    {
        var full = Path.GetFullPath(path);
        string? dataPath = null;
        try
        {
            if (external.Count > 0)
            {
                var name = $"{Path.GetFileName(full)}.{Guid.NewGuid():N}.data";
                dataPath = Path.Combine(Path.GetDirectoryName(full)!, name);
                var (length, sha256) = WriteData(dataPath, name, external);
                model.MetadataProps.Add(new StringStringEntryProto
                {
                    Key = OnnxMetadata.ExternalData,
                    Value = string.Create(CultureInfo.InvariantCulture, $"{name}:{length}:{Convert.ToHexStringLower(sha256)}"),
                });
            }
            AtomicFile.Write(full, stream =>
            {
                using var sha256 = SHA256.Create();
                using (var hashing = new CryptoStream(stream, sha256, CryptoStreamMode.Write, leaveOpen: true))
                    model.WriteTo(hashing);
                stream.Write(OnnxDigest.Trailer(sha256.Hash!));
            });
        }
        catch
        {
            if (dataPath is not null)
                File.Delete(dataPath);
            throw;
        }
        finally
        {
            foreach (var tensor in external)
                tensor.Values.Dispose();
        }
        DeleteStaleData(full, dataPath);
    }

    /// <summary>
    /// Reads the model file and checks its digest, and the length and SHA-256 of its external data file if it has one,
    /// streaming it: nothing changed on disk since export is served.
    /// </summary>
    /// <returns>The model's bytes, its metadata, and whether it has external data (which ONNX Runtime finds from the model's path).</returns>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    /// <exception cref="ModelFileException">Either file is unusable, damaged, edited or missing its digest.</exception>
    public static (byte[] Bytes, Dictionary<string, string> Metadata, bool HasExternalData) Read(string path)
    {
        byte[] bytes;
        using (var stream = ModelFile.OpenRead(path, Noun, Array.MaxLength, "protobuf's 2 GB limit; ModelDsl writes larger weights to external data"))
        {
            bytes = GC.AllocateUninitializedArray<byte>((int)stream.Length);
            ModelFile.ReadExactly(stream, bytes, path, Noun);
        }
        OnnxDigest.Check(bytes, path);
        Dictionary<string, string> metadata;
        try
        {
            metadata = OnnxMetadata.Read(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFileException($"'{path}' is not a valid ONNX model: {e.Message}", e);
        }
        if (!metadata.TryGetValue(OnnxMetadata.ExternalData, out var external))
            return (bytes, metadata, false);
        CheckData(path, external);
        return (bytes, metadata, true);
    }

    private static (long Length, byte[] Sha256) WriteData(string dataPath, string location, IReadOnlyList<ExternalTensor> external)
    {
        // Written under its final name, which is new and which no model file names yet: the file is its own temporary
        // file. A failure deletes it (Write); a process killed meanwhile leaves it for the next export's DeleteStaleData.
        var length = 0L;
        Directory.CreateDirectory(Path.GetDirectoryName(dataPath)!);
        using (var stream = new FileStream(dataPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            using var sha256 = SHA256.Create();
            using (var hashing = new CryptoStream(stream, sha256, CryptoStreamMode.Write, leaveOpen: true))
            {
                foreach (var (proto, values) in external)
                {
                    var padding = (int)(-length & (Alignment - 1));
                    hashing.Write(new byte[padding]);
                    length += padding;
                    var bytes = values.NumberOfElements * values.ElementSize;
                    proto.ExternalData.Add(Entry("location", location));
                    proto.ExternalData.Add(Entry("offset", length.ToString(CultureInfo.InvariantCulture)));
                    proto.ExternalData.Add(Entry("length", bytes.ToString(CultureInfo.InvariantCulture)));
                    // Streamed from the tensor's own memory in 1 MiB chunks: the table is never copied whole.
                    values.WriteBytesToStream(hashing, 1 << 20);
                    length += bytes;
                }
            }
            stream.Flush(flushToDisk: true);
            return (length, sha256.Hash!);
        }
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };

    private static void CheckData(string path, string entry)
    {
        var match = ExternalDataEntry().Match(entry);
        if (!match.Success)
            throw new ModelFileException($"The {Noun} '{path}' has a malformed '{OnnxMetadata.ExternalData}' entry: '{entry}'.");
        var name = match.Groups["name"].Value;
        var length = long.Parse(match.Groups["length"].Value, CultureInfo.InvariantCulture);
        var dataPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, name);
        const string DataNoun = "external data file";
        FileStream stream;
        try
        {
            stream = ModelFile.OpenRead(dataPath, DataNoun);
        }
        catch (FileNotFoundException e)
        {
            throw new ModelFileException($"The {Noun} '{path}' keeps its large weights in '{dataPath}', which does not exist: copy it along with the model file.", e);
        }
        using (stream)
        {
            if (stream.Length != length)
                throw new ModelFileException(string.Create(CultureInfo.InvariantCulture,
                    $"The {DataNoun} '{dataPath}' is {(stream.Length < length ? "truncated: " : "")}{stream.Length:N0} bytes, but the {Noun} '{path}' expects {length:N0}."));
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            for (int read; (read = stream.Read(buffer)) > 0;)
                hash.AppendData(buffer, 0, read);
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != match.Groups["sha256"].Value)
                throw new ModelFileException(
                    $"The {DataNoun} '{dataPath}' is damaged or was edited: its SHA-256 is {actual}, but the {Noun} '{path}' expects {match.Groups["sha256"].Value}.");
        }
    }

    /// <summary>Deletes the data files earlier exports left beside the model, keeping <paramref name="current"/>.</summary>
    private static void DeleteStaleData(string modelPath, string? current)
    {
        var name = Path.GetFileName(modelPath);
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(modelPath)!, $"{name}.*.data"))
        {
            if (file == current || !DataFileName().IsMatch(Path.GetFileName(file)[name.Length..]))
                continue;
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The model file in place no longer names it; the next export tries again.
            }
        }
    }

    [GeneratedRegex(@"^(?<name>[^/\\:]+\.[0-9a-f]{32}\.data):(?<length>[0-9]{1,19}):(?<sha256>[0-9a-f]{64})$")]
    private static partial Regex ExternalDataEntry();

    [GeneratedRegex(@"^\.[0-9a-f]{32}\.data$")]
    private static partial Regex DataFileName();
}

/// <summary>An initializer whose bytes go to the external data file, and the tensor they are read from (a view of the weights).</summary>
internal sealed record ExternalTensor(TensorProto Proto, TorchSharp.torch.Tensor Values);
