using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>Paths that are not regular files, for tests of what opening a model, weights or checkpoint file refuses.</summary>
internal static class FileKinds
{
    /// <summary>Creates a named pipe (FIFO) in <paramref name="folder"/>; opening it for reading waits for a writer.</summary>
    public static string Fifo(string folder)
    {
        var path = Path.Combine(folder, "pipe");
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    /// <summary>Creates two symbolic links that point at each other and returns one.</summary>
    public static string LinkLoop(string folder)
    {
        var (a, b) = (Path.Combine(folder, "loop-a"), Path.Combine(folder, "loop-b"));
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);
        return a;
    }

    /// <summary>
    /// Runs <paramref name="open"/>, which opens <paramref name="fifo"/>; if it still waits after a minute, a writer
    /// releases it and the test fails, rather than hang the run.
    /// </summary>
    public static void WithinAMinute(string fifo, Action open)
    {
        var task = Task.Run(open);
        if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromMinutes(1)))
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            Assert.Fail($"Opening '{fifo}' waited for a writer.");
        }
        task.GetAwaiter().GetResult();
    }
}
