using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>
/// The build marks libLibTorchSharp.so's GLIBCXX_3.4.32 need weak in the output copy only. This repository
/// hard-links package files into its outputs (Directory.Build.props), so a patch written in place would
/// silently patch the NuGet cache too.
/// </summary>
public sealed class NativeLibraryTests
{
    private const string Library = "libLibTorchSharp.so";
    private const string Version = "GLIBCXX_3.4.32";

    [Fact]
    public void OutputCopyIsPatchedExactlyWhereNeededAndTheNuGetCacheIsNot()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return; // The patch is Linux-only; this output holds no linux-x64 library to check elsewhere.
        }

        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", Library);
        Version version = typeof(torch).Assembly.GetName().Version!;
        string cache = Path.Combine(
            PackageRoot(), "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}",
            "runtimes", "linux-x64", "native", Library);

        byte[] patched = File.ReadAllBytes(output);
        byte[] original = File.ReadAllBytes(cache);
        Assert.Equal(original.Length, patched.Length);
        int differing = original.Zip(patched).Count(pair => pair.First != pair.Second);

        // VER_FLG_WEAK (0x2) in one vna_flags field: one byte, and only where the system lacks the version.
        Assert.True(Names(original, Version), $"{cache} no longer asks for {Version}; this test checks nothing.");
        Assert.Equal(Names(File.ReadAllBytes(SystemLibStdCxx()), Version) ? 0 : 1, differing);
    }

    private static string PackageRoot() =>
        typeof(NativeLibraryTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "NuGetPackageRoot").Value!;

    /// <summary>The libstdc++ this process has loaded (the .NET host links it), as the build task finds it.</summary>
    private static string SystemLibStdCxx() =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[5]).StartsWith("libstdc++.so", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .First();

    private static bool Names(byte[] file, string version) =>
        file.AsSpan().IndexOf(Encoding.ASCII.GetBytes(version + "\0")) >= 0;
}
