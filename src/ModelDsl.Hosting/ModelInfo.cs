using System;
using System.IO;
using System.Security.Cryptography;

namespace ModelDsl.Hosting;

/// <summary>The model a pool serves: its spec and the file it was loaded from.</summary>
/// <param name="Name">Full name of the model class.</param>
/// <param name="Fingerprint">The spec fingerprint the file carries.</param>
/// <param name="Path">The full path of the file.</param>
/// <param name="FileModified">The file's last write time when it was loaded.</param>
/// <param name="FileSha256">SHA-256 of the file's bytes, lowercase hex.</param>
/// <param name="LoadedAt">When this model started serving.</param>
public sealed record ModelInfo(string Name, string Fingerprint, string Path, DateTimeOffset FileModified, string FileSha256, DateTimeOffset LoadedAt);

/// <summary>A failed reload: the previous model kept serving.</summary>
/// <param name="At">When the reload failed.</param>
/// <param name="Message">What was wrong with the new file.</param>
public sealed record ReloadError(DateTimeOffset At, string Message);

/// <summary>What a reload did.</summary>
public enum ReloadOutcome
{
    /// <summary>A new model serves.</summary>
    Swapped,

    /// <summary>The file has the bytes of the model already serving.</summary>
    Unchanged,

    /// <summary>The new file was refused; the previous model serves (see <see cref="PredictorPool{TFeatures, TPrediction}.LastReloadError"/>).</summary>
    Failed,
}

/// <summary>A model file's identity at one moment: its hash and last write time.</summary>
internal readonly record struct FileStamp(string Sha256, DateTimeOffset Modified)
{
    /// <exception cref="ModelFileException">The file cannot be read.</exception>
    public static FileStamp Read(string path)
    {
        try
        {
            return ReadUnchecked(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"ONNX model file '{path}' cannot be read: {e.Message}", e);
        }
    }

    private static FileStamp ReadUnchecked(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var modified = File.GetLastWriteTimeUtc(path);
        return new(Convert.ToHexStringLower(SHA256.HashData(stream)), new DateTimeOffset(modified, TimeSpan.Zero));
    }
}
