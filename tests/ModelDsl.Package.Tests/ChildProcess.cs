using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Xunit;

namespace ModelDsl.Testing;

/// <summary>
/// A child process whose stdout and stderr are collected line by line, so a failed assertion can show
/// them. Disposing kills it with its children.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private int _openStreams = 2;

    private ChildProcess(Process process) => _process = process;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>The command line, for messages.</summary>
    public string CommandLine => $"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)}";

    /// <summary>Everything written so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
                return string.Join('\n', _lines);
        }
    }

    public static ChildProcess Start(string workingDirectory, string fileName, params string[] arguments) =>
        Start(workingDirectory, fileName, arguments, environment: null);

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="environment"/>'s variables set as well.</summary>
    public static ChildProcess Start(string workingDirectory, string fileName, string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        // Build nodes left running would hold the output pipes open after dotnet exits.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        // No first-run banner or telemetry upload in the output (and no network use for them).
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;

        var child = new ChildProcess(new Process { StartInfo = info });
        child._process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs <c>dotnet</c> to completion and fails the test, with the output, unless it exits with 0.</summary>
    public static string RunDotnet(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        RunCommand(workingDirectory, timeout, "dotnet", arguments);

    /// <summary>Runs a program to completion and fails the test, with the output, unless it exits with 0.</summary>
    public static string RunCommand(string workingDirectory, TimeSpan timeout, string fileName, params string[] arguments)
    {
        using var child = Start(workingDirectory, fileName, arguments);
        var exitCode = child.WaitForExit(timeout);
        Assert.True(exitCode == 0, $"'{child.CommandLine}' in {workingDirectory} exited with {exitCode}:\n{child.Output}");
        return child.Output;
    }

    /// <summary>Waits for the process to exit and returns its exit code; fails the test on timeout.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            Assert.Fail($"'{CommandLine}' did not finish within {timeout.TotalSeconds:F0} s:\n{Output}");
        }
        // The streams close a moment after exit, unless a grandchild inherited them: bounded wait.
        lock (_lines)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (_openStreams > 0 && DateTime.UtcNow < deadline)
                Monitor.Wait(_lines, TimeSpan.FromMilliseconds(100));
        }
        return _process.ExitCode;
    }

    /// <summary>Waits for an output line that <paramref name="match"/> accepts; fails the test if the process ends first or on timeout.</summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            while (true)
            {
                if (_lines.FirstOrDefault(match) is { } line)
                    return line;
                if (_openStreams == 0 || DateTime.UtcNow >= deadline)
                    break;
                Monitor.Wait(_lines, TimeSpan.FromMilliseconds(200));
            }
        }
        Kill();
        Assert.Fail($"'{CommandLine}' did not print the expected line within {timeout.TotalSeconds:F0} s:\n{Output}");
        return string.Empty;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_lines)
        {
            if (line is null)
                _openStreams--;
            else
                _lines.Add(line);
            Monitor.PulseAll(_lines);
        }
    }

    /// <summary>Kills the process with its children (SIGKILL on Unix) and waits until it is gone; returns whether it was still running.</summary>
    public bool Kill()
    {
        try
        {
            if (_process.HasExited)
                return false;
            _process.Kill(entireProcessTree: true);
            // Bounded, and without waiting for the output streams, which a grandchild may hold open.
            _process.WaitForExit(TimeSpan.FromSeconds(30));
            return true;
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
            return false;
        }
    }
}
