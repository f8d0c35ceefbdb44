using System;
using System.IO;

namespace ModelDsl.Distributed;

/// <summary>
/// Writes a directory as a whole: its files go into a hidden sibling first, which replaces the target
/// by renames only when every file is complete, so a failed write leaves the earlier directory as it was.
/// </summary>
internal static class ShardDirectory
{
    public static void Write(string directory, Action<string> writeFiles)
    {
        var full = Path.GetFullPath(directory.TrimEnd(Path.DirectorySeparatorChar));
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var id = Guid.NewGuid().ToString("N");
        var temp = Path.Combine(parent, $".{Path.GetFileName(full)}.{id}.tmp");
        var old = Path.Combine(parent, $".{Path.GetFileName(full)}.{id}.old");
        Directory.CreateDirectory(temp);
        try
        {
            writeFiles(temp);
            if (Directory.Exists(full))
                Directory.Move(full, old);
            Directory.Move(temp, full);
        }
        catch
        {
            Directory.Delete(temp, recursive: true);
            if (Directory.Exists(old) && !Directory.Exists(full))
                Directory.Move(old, full);
            throw;
        }
        if (Directory.Exists(old))
            Directory.Delete(old, recursive: true);
    }
}
