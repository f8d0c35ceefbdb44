using System;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Onnx;

namespace ModelDsl.Onnx;

/// <summary>
/// The integrity digest of an exported model. The file's last bytes are one more <c>metadata_props</c> entry,
/// <c>modeldsl.sha256</c>, whose value is the SHA-256 (64 lowercase hex digits) of every byte before that entry:
/// a serialized message followed by a serialized field is the message with that field appended, so any ONNX host
/// reads the file as usual, and verifies it with <c>sha256(file[:-85]) == file[-64:]</c> without re-serializing
/// anything. External data is covered through its own SHA-256 in <see cref="OnnxMetadata.ExternalData"/>.
/// </summary>
internal static class OnnxDigest
{
    private const int HexLength = 2 * SHA256.HashSizeInBytes;

    /// <summary>The entry's bytes before the hex digits: field 14 (metadata_props), the key, and the value's tag and length.</summary>
    private static readonly byte[] Prefix = Entry(new string('0', HexLength))[..^HexLength];

    /// <summary>Length of the trailing entry: 85 bytes.</summary>
    public static int TrailerLength { get; } = Prefix.Length + HexLength;

    /// <summary>The trailing entry for a digest.</summary>
    public static byte[] Trailer(byte[] sha256) => Entry(Convert.ToHexStringLower(sha256));

    /// <summary>
    /// Checks that the model's bytes end with a digest entry that matches the bytes before it.
    /// </summary>
    /// <exception cref="ModelFileException">The entry is missing or malformed, or the digest does not match.</exception>
    public static void Check(ReadOnlySpan<byte> model, string path)
    {
        if (model.Length < TrailerLength || !model[^TrailerLength..].StartsWith(Prefix) || !IsLowerHex(model[^HexLength..]))
            throw new ModelFileException(
                $"The ONNX model file '{path}' does not end with its '{OnnxMetadata.Digest}' metadata entry: it is damaged, was changed and saved again by another tool, or was exported by a ModelDsl before {ModelSchema.LibraryVersion} without an integrity digest. Export it again.");
        var actual = Convert.ToHexStringLower(SHA256.HashData(model[..^TrailerLength]));
        if (!Encoding.ASCII.GetBytes(actual).AsSpan().SequenceEqual(model[^HexLength..]))
            throw new ModelFileException(
                $"The ONNX model file '{path}' is damaged or was edited: the SHA-256 of its content is {actual}, but its '{OnnxMetadata.Digest}' entry says {Encoding.ASCII.GetString(model[^HexLength..])}.");
    }

    private static byte[] Entry(string hex)
    {
        var model = new ModelProto();
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadata.Digest, Value = hex });
        return model.ToByteArray();
    }

    private static bool IsLowerHex(ReadOnlySpan<byte> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
                return false;
        }
        return true;
    }
}
