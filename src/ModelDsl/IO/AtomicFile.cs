using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace ModelDsl.IO;

/// <summary>
/// Writes a file so that readers see either the old or the new content, never a partial one: the
/// content goes to a temporary file in the same folder, is flushed to disk, then renamed over the
/// target. A failure midway deletes the temporary file and leaves the earlier file as it was.
/// </summary>
/// <remarks>
/// A process killed while writing cannot delete its temporary file, so each write first deletes the
/// ones of the same target that dead writers left. The name <c>.{name}.{pid}.{guid}.tmp</c> says
/// whose a file is, and a writer holds its file locked until it is renamed: a temporary file is stale
/// only if its process is gone and no one holds it, so concurrent writers (even in other PID namespaces
/// sharing the folder) never lose theirs.
/// </remarks>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var name = Path.GetFileName(full);
        DeleteStaleTemporaryFiles(folder, name);
        var temp = Path.Combine(folder, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            // FileShare.None locks the file (flock on Unix) until it is closed, telling live writers from dead ones.
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Deletes the temporary files of <paramref name="name"/> in <paramref name="folder"/> whose writer has died.</summary>
    private static void DeleteStaleTemporaryFiles(string folder, string name)
    {
        var prefix = $".{name}.";
        foreach (var file in Directory.EnumerateFiles(folder, $"{prefix}*.tmp"))
        {
            // The pattern's * and ? may also match in the target's own name; only its exact prefix counts.
            var fileName = Path.GetFileName(file.AsSpan());
            if (!fileName.StartsWith(prefix, StringComparison.Ordinal) || WriterOf(fileName[prefix.Length..]) is not { } pid || IsRunning(pid))
                continue;
            try
            {
                // Opening it unshared fails while a writer holds it.
                new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.None, 1, FileOptions.DeleteOnClose).Dispose();
            }
            catch (IOException)
            {
                // Held, or deleted meanwhile by another writer.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to delete; the write goes on.
            }
        }
    }

    /// <summary>The process id in <c>{pid}.{guid}.tmp</c>, or null for another name.</summary>
    private static int? WriterOf(ReadOnlySpan<char> rest)
    {
        var dot = rest.IndexOf('.');
        return dot > 0 && rest[(dot + 1)..] is { Length: 36 } tail && tail.EndsWith(".tmp", StringComparison.Ordinal)
            && Guid.TryParseExact(tail[..32], "N", out _)
            && int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid : null;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            Process.GetProcessById(pid).Dispose();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
