using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace ModelDsl.IO;

/// <summary>
/// The layout of weights files and training checkpoints: a magic string, the format version, the content, and
/// last the SHA-256 of everything before it. A file is checked whole before its content is read, so one of
/// another kind or format, cut short or altered anywhere, fails with a message saying which before any of it is used.
/// </summary>
/// <param name="Magic">The string the file starts with.</param>
/// <param name="Version">The newest format version, which is written unless a writer names an older one.</param>
/// <param name="Noun">What errors call the file: "weights file", "training checkpoint".</param>
internal sealed record ChecksummedFile(string Magic, int Version, string Noun)
{
    private const int ChecksumSize = SHA256.HashSizeInBytes;

    /// <summary>The oldest format version read; <see cref="Version"/> unless set.</summary>
    public int OldestVersion { get; init; } = Version;

    /// <summary>Writes the file atomically in format <paramref name="version"/> (<see cref="Version"/> by default), its content through <paramref name="writeContent"/>.</summary>
    public void Write(string path, Action<BinaryWriter> writeContent, int? version = null) =>
        AtomicFile.Write(path, stream =>
        {
            using var sha256 = SHA256.Create();
            using (var hashing = new CryptoStream(stream, sha256, CryptoStreamMode.Write, leaveOpen: true))
            using (var writer = new BinaryWriter(hashing, Encoding.UTF8))
            {
                writer.Write(Magic);
                writer.Write(version ?? Version);
                writeContent(writer);
            }
            stream.Write(sha256.Hash);
        });

    /// <summary>Checks the file, then reads its content through <paramref name="readContent"/>, given the file's format version, which must read all of it.</summary>
    /// <exception cref="ModelFileException">The file is missing, not a regular file, of another kind or format, or damaged; or reading its content failed or did not end at the checksum.</exception>
    public T Read<T>(string path, Func<BinaryReader, int, T> readContent)
    {
        using var reader = new BinaryReader(Open(path), Encoding.UTF8);
        var version = CheckHeader(reader, path);
        var contentStart = reader.BaseStream.Position;
        if (!ChecksumMatches(reader.BaseStream))
            throw new ModelFileException(Damaged(path, "its checksum does not match its content."));
        reader.BaseStream.Position = contentStart;
        T content;
        try
        {
            content = readContent(reader, version);
            RequireEnd(reader);
        }
        catch (Exception e) when (e is not (ModelFileException or OutOfMemoryException))
        {
            // The checksum held, so the content is as written, but not as this reader expects (another optimizer, say).
            throw new ModelFileException(Damaged(path, e.Message), e);
        }
        return content;
    }

    /// <summary>
    /// Checks that the content was read to its end: TorchSharp reads a short tensor without complaint at the end of a
    /// stream, so a content reader that stopped early or read into the checksum would otherwise go unnoticed.
    /// </summary>
    /// <exception cref="InvalidDataException">The reader is not where the checksum begins.</exception>
    public static void RequireEnd(BinaryReader reader)
    {
        if (ContentLeft(reader) != 0)
            throw new InvalidDataException("reading its content did not end where its checksum begins.");
    }

    /// <summary>Bytes of content between the reader's position and the checksum.</summary>
    public static long ContentLeft(BinaryReader reader) => reader.BaseStream.Length - ChecksumSize - reader.BaseStream.Position;

    /// <summary>
    /// Reads <paramref name="length"/> bytes that a length field in the content announced, after checking they are
    /// there: a checkpoint whose field claims 2³¹−1 bytes (its checksum recomputed) would otherwise allocate them first.
    /// </summary>
    public static byte[] ReadBlock(BinaryReader reader, int length)
    {
        var left = ContentLeft(reader);
        if (length < 0 || length > left)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"a length field says {length:N0} bytes at offset {reader.BaseStream.Position:N0}, but {left:N0} remain before the checksum."));
        return reader.ReadBytes(length);
    }

    private FileStream Open(string path)
    {
        try
        {
            return ModelFile.OpenRead(path, Noun);
        }
        catch (FileNotFoundException e)
        {
            throw new ModelFileException(e.Message, e);
        }
    }

    /// <summary>Moves past the rest of the content: for a reader that needs only its start.</summary>
    public static void SkipRest(BinaryReader reader) => reader.BaseStream.Position = reader.BaseStream.Length - ChecksumSize;

    private int CheckHeader(BinaryReader reader, string path)
    {
        string magic;
        int version;
        try
        {
            magic = reader.ReadString();
            version = reader.ReadInt32();
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            throw new ModelFileException($"'{path}' is not a ModelDsl {Noun} (its header is unreadable).", e);
        }
        if (magic != Magic)
            throw new ModelFileException($"'{path}' is not a ModelDsl {Noun}.");
        if (version < OldestVersion || version > Version)
            throw new ModelFileException(OldestVersion == Version
                ? $"The {Noun} '{path}' has format {version}; this ModelDsl reads format {Version} only."
                : $"The {Noun} '{path}' has format {version}; this ModelDsl reads formats {OldestVersion} to {Version}.");
        return version;
    }

    private static bool ChecksumMatches(Stream stream)
    {
        var contentLength = stream.Length - ChecksumSize;
        if (contentLength < 0)
            return false;
        stream.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        for (var left = contentLength; left > 0;)
        {
            var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, left));
            stream.ReadExactly(chunk);
            hash.AppendData(chunk);
            left -= chunk.Length;
        }
        Span<byte> stored = stackalloc byte[ChecksumSize];
        stream.ReadExactly(stored);
        return hash.GetCurrentHash().AsSpan().SequenceEqual(stored);
    }

    private string Damaged(string path, string reason) => $"The {Noun} '{path}' is truncated or damaged: {reason}";
}
