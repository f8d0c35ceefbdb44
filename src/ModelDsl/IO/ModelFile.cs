using System;
using System.Globalization;
using System.IO;

namespace ModelDsl.IO;

/// <summary>
/// Opens a model, weights, checkpoint or external data file for reading. What is not a regular file of a usable
/// size is refused before it is opened, since reading it would hang (a FIFO), never end (<c>/dev/zero</c>) or
/// allocate what its size claims; every refusal is a <see cref="ModelFileException"/> naming the file and the problem.
/// </summary>
internal static class ModelFile
{
    /// <summary>Opens <paramref name="path"/> for sequential reading.</summary>
    /// <param name="path">The file.</param>
    /// <param name="noun">What messages call the file: "ONNX model file", "weights file".</param>
    /// <param name="maxLength">The largest size the caller can read, with <paramref name="why"/> saying why.</param>
    /// <param name="why">Why a file over <paramref name="maxLength"/> cannot be read.</param>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFileException">The path is a directory, an unresolvable link, not a regular file, too large or unreadable.</exception>
    public static FileStream OpenRead(string path, string noun, long maxLength = long.MaxValue, string? why = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (Directory.Exists(path))
            throw new ModelFileException($"The {noun} '{path}' is a directory.");
        if (info.LinkTarget is not null)
            Follow(path, noun);
        if (!info.Exists)
            throw new FileNotFoundException($"The {noun} '{path}' does not exist.", path);
        // Devices, FIFOs and sockets report size 0, as does an empty file; none of them is a model.
        if (info.Length == 0)
            throw new ModelFileException($"The {noun} '{path}' is empty or not a regular file (a device, FIFO or socket).");
        if (info.Length > maxLength)
            throw new ModelFileException(string.Create(CultureInfo.InvariantCulture,
                $"The {noun} '{path}' is too large: {info.Length:N0} bytes, over the {maxLength:N0} that can be read{(why is null ? "" : $" ({why})")}."));
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException($"The {noun} '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="stream"/>, or says that the file ended first.</summary>
    public static void ReadExactly(Stream stream, Span<byte> buffer, string path, string noun)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new ModelFileException($"The {noun} '{path}' is truncated: it ended while being read.", e);
        }
        catch (IOException e)
        {
            throw new ModelFileException($"The {noun} '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Checks that a symbolic link leads to something: a loop, or a link to nothing, is named as such.</summary>
    private static void Follow(string path, string noun)
    {
        FileSystemInfo? target;
        try
        {
            target = File.ResolveLinkTarget(path, returnFinalTarget: true);
        }
        catch (IOException e)
        {
            // A loop of links: "Too many levels of symbolic links".
            throw new ModelFileException($"The {noun} '{path}' is a symbolic link that cannot be followed: {e.Message}", e);
        }
        if (target is { Exists: false })
            throw new ModelFileException($"The {noun} '{path}' is a symbolic link to '{target.FullName}', which does not exist.");
    }
}
