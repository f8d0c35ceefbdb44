using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ModelDsl.Testing;
using Xunit;
using Xunit.Abstractions;

namespace ModelDsl.Package.Tests;

/// <summary>
/// Packs src/ModelDsl as users get it (a unique prerelease version, so the NuGet cache never serves an
/// older build) into a local feed; cleans the feed and the version's copy in the NuGet cache afterwards.
/// </summary>
public sealed class PackedModelDsl : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("modeldsl-package-");

    public PackedModelDsl()
    {
        Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        Feed = Path.Combine(_work.FullName, "feed");
        try
        {
            // Build outputs go to the temp folder, so packing leaves the repository's bin/ and obj/ alone.
            PackOutput = ChildProcess.RunDotnet(RepoRoot, TimeSpan.FromMinutes(4),
                "pack", Path.Combine(RepoRoot, "src", "ModelDsl"), "-c", "Release", "-tl:off", "-o", Feed,
                "--artifacts-path", Path.Combine(_work.FullName, "artifacts"), $"-p:Version={Version}");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public static string RepoRoot { get; } = typeof(PackedModelDsl).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    public string Version { get; }

    public string Feed { get; }

    public string Package => Path.Combine(Feed, $"ModelDsl.{Version}.nupkg");

    public string PackOutput { get; }

    /// <summary>A scratch folder next to the feed, outside the repository (no Directory.Build.* or central versions leak in).</summary>
    public string Scratch(string name) => Directory.CreateDirectory(Path.Combine(_work.FullName, name)).FullName;

    /// <summary>The global packages folder restores extract into.</summary>
    public static string NuGetCache { get; } = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public void Dispose()
    {
        foreach (var folder in new[] { Path.Combine(NuGetCache, "modeldsl", Version.ToLowerInvariant()), _work.FullName })
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}

[Trait("Category", "Package")]
public sealed partial class PackageTests(PackedModelDsl packed, ITestOutputHelper output) : IClassFixture<PackedModelDsl>
{
    /// <summary>The most disk one consumer build for linux-x64 may take beyond what it shares with the NuGet cache.</summary>
    private const long MaxConsumerBytes = 500_000_000;

    [Fact]
    public void PackReportsNoWarning()
    {
        Assert.False(MsBuildWarning().IsMatch(packed.PackOutput), packed.PackOutput);
    }

    [Fact]
    public void PackageHasTheLibraryTheGeneratorAsAnalyzerAndTheBuildTargets()
    {
        using var zip = ZipFile.OpenRead(packed.Package);
        var files = zip.Entries.Select(e => e.FullName).ToHashSet();
        string[] expected =
        [
            "lib/net10.0/ModelDsl.dll", "lib/net10.0/ModelDsl.xml",
            "analyzers/dotnet/cs/ModelDsl.Generators.dll", "analyzers/dotnet/cs/ModelDsl.CodeFixes.dll",
            "build/ModelDsl.targets", "build/WeakenElfVersionNeed.cs",
            "buildTransitive/ModelDsl.targets", "buildTransitive/WeakenElfVersionNeed.cs",
            "README.md",
            // The Python runtime of distributed training, as TrainingBundle.Write also copies it from the assembly.
            "python/modeldsl/__init__.py", "python/modeldsl/spec.py", "python/modeldsl/layers.py", "python/modeldsl/network.py", "python/modeldsl/weights.py",
        ];
        Assert.All(expected, file => Assert.Contains(file, files));
        // The generator targets the compiler, not the application: never a lib.
        Assert.DoesNotContain(files, f => f.StartsWith("lib/", StringComparison.Ordinal) && f.Contains("Generators", StringComparison.Ordinal));

        using var nuspec = zip.GetEntry("ModelDsl.nuspec")!.Open();
        var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string)e.Attribute("id")!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["Google.Protobuf", "Microsoft.ML.OnnxRuntime", "OnnxSharp", "Parquet.Net", "Sep", "System.Numerics.Tensors", "TorchSharp-cpu", "csFastFloat"], dependencies);
    }

    /// <summary>
    /// A fresh console project that knows ModelDsl only as a package declares a model, trains it,
    /// exports ONNX and predicts. TorchSharp loading proves the package's build targets ran (on a
    /// libstdc++ older than GCC 13 they must patch libLibTorchSharp.so). On linux-x64 it is built for
    /// that platform, as a deployment would be, and the disk it takes beyond the NuGet cache is measured:
    /// only linux-x64's native libraries, hard-linked to the cache rather than copied.
    /// </summary>
    [Fact]
    public void FreshProjectBuildsTrainsExportsAndPredictsWithThePackage()
    {
        var project = packed.Scratch("consumer");
        foreach (var file in Directory.GetFiles(Path.Combine(PackedModelDsl.RepoRoot, "tests", "ModelDsl.Package.Tests", "Consumer")))
            File.Copy(file, Path.Combine(project, Path.GetFileName(file)));
        var linuxX64 = OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64;
        var platform = linuxX64 ? "linux-x64" : "";

        ChildProcess.RunDotnet(project, TimeSpan.FromMinutes(4),
            ["build", "-c", "Release", "-tl:off", $"-p:ModelDslVersion={packed.Version}", .. linuxX64 ? (string[])["-r", platform] : []]);
        var run = ChildProcess.RunDotnet(project, TimeSpan.FromMinutes(2), Path.Combine("bin", "Release", "net10.0", platform, "PackageConsumer.dll"));

        Assert.Contains("MODELDSL-PACKAGE-OK", run);
        if (OperatingSystem.IsLinux())
            Assert.True(File.Exists(Path.Combine(project, "obj", "Release", "net10.0", platform, "ModelDsl.LibTorchSharp.stamp")), "build/ModelDsl.targets was not imported.");
        if (linuxX64)
        {
            var bin = Path.Combine(project, "bin", "Release", "net10.0", platform);
            Assert.True(File.Exists(Path.Combine(bin, "libtorch_cpu.so")), "LibTorch is not in the output.");
            Assert.False(Directory.Exists(Path.Combine(bin, "runtimes")), "A linux-x64 build carries other platforms' native libraries.");
            var bytes = BytesBeyondNuGetCache(project);
            output.WriteLine($"One consumer build for linux-x64 takes {bytes / 1e6:F1} MB beyond the NuGet cache (bin/ and obj/).");
            Assert.True(bytes <= MaxConsumerBytes, $"One consumer build for linux-x64 takes {bytes / 1e6:F1} MB beyond the NuGet cache; at most {MaxConsumerBytes / 1e6:F0} MB expected.");
        }
    }

    /// <summary>
    /// The bytes of <paramref name="folder"/> not shared with the NuGet cache: du counts a file with several
    /// hard links once, under the first argument that holds it.
    /// </summary>
    private static long BytesBeyondNuGetCache(string folder)
    {
        var lines = ChildProcess.RunCommand(folder, TimeSpan.FromMinutes(2), "du", "-s", "-b", PackedModelDsl.NuGetCache, folder)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(lines[^1].Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"warning [A-Z]+[0-9]+", RegexOptions.IgnoreCase)]
    private static partial Regex MsBuildWarning();
}
