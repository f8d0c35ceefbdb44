using System;
using System.IO;
using System.Linq;
using ModelDsl.IO;
using Xunit;

namespace ModelDsl.Tests.Chaos;

/// <summary>
/// A writer killed mid-write leaves its temporary file; the next write of the same target deletes it, and
/// never the temporary file of a writer that is still at work.
/// </summary>
public sealed class AtomicFileCleanupTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-atomic-").FullName;
    private readonly string _path;

    public AtomicFileCleanupTests() => _path = Path.Combine(_folder, "model.onnx");

    [Fact]
    public void TheNextWriteDeletesTheTemporaryFileOfAWriterKilledMidWrite()
    {
        string orphan;
        using (var child = ChildCommands.Start("hang-in-write", _path))
        {
            child.WaitForLine(line => line == ChildCommands.HangingLine, Timeout);
            orphan = Assert.Single(Temporary());
            Assert.Contains($".model.onnx.{child.Id}.", orphan, StringComparison.Ordinal);
            Assert.True(child.Kill());
        }
        Assert.Equal(1 << 20, new FileInfo(orphan).Length);

        AtomicFile.Write(_path, stream => stream.WriteByte(1));

        Assert.Empty(Temporary());
        Assert.Equal([1], File.ReadAllBytes(_path));
    }

    [Fact]
    public void ALiveWritersTemporaryFileIsKept()
    {
        using var child = ChildCommands.Start("hang-in-write", _path);
        child.WaitForLine(line => line == ChildCommands.HangingLine, Timeout);
        var theirs = Assert.Single(Temporary());

        AtomicFile.Write(_path, stream => stream.WriteByte(1));

        Assert.Equal([theirs], Temporary());
        Assert.Equal([1], File.ReadAllBytes(_path));
    }

    /// <summary>A process id no process has: the writer is gone unless its lock says otherwise (another PID namespace).</summary>
    [Fact]
    public void ATemporaryFileStillLockedIsKeptEvenIfItsProcessIdIsUnknown()
    {
        var held = Path.Combine(_folder, $".model.onnx.{int.MaxValue}.{Guid.NewGuid():N}.tmp");
        var stale = Path.Combine(_folder, $".model.onnx.{int.MaxValue}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(stale, "left by a dead writer");
        using (new FileStream(held, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            AtomicFile.Write(_path, stream => stream.WriteByte(1));
            Assert.Equal([held], Temporary());
        }
    }

    [Fact]
    public void OtherTargetsAndOtherFilesAreLeftAlone()
    {
        string[] others =
        [
            Path.Combine(_folder, $".weights.bin.{int.MaxValue}.{Guid.NewGuid():N}.tmp"),
            Path.Combine(_folder, $".model.onnx.{Guid.NewGuid():N}.tmp"),
            Path.Combine(_folder, ".model.onnx.notes.tmp"),
        ];
        foreach (var file in others)
            File.WriteAllText(file, "not this writer's");

        AtomicFile.Write(_path, stream => stream.WriteByte(1));

        Assert.Equal(others.Order(StringComparer.Ordinal), Temporary());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] Temporary() => [.. Directory.GetFiles(_folder, "*.tmp").Order(StringComparer.Ordinal)];
}
