using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ModelDsl.Testing;
using Xunit;

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

    public void Dispose()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var folder in new[] { Path.Combine(packages, "modeldsl", Version.ToLowerInvariant()), _work.FullName })
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}

[Trait("Category", "Package")]
public sealed partial class PackageTests(PackedModelDsl packed) : IClassFixture<PackedModelDsl>
{
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
    /// libstdc++ older than GCC 13 they must patch libLibTorchSharp.so).
    /// </summary>
    [Fact]
    public void FreshProjectBuildsTrainsExportsAndPredictsWithThePackage()
    {
        var project = packed.Scratch("consumer");
        foreach (var file in Directory.GetFiles(Path.Combine(PackedModelDsl.RepoRoot, "tests", "ModelDsl.Package.Tests", "Consumer")))
            File.Copy(file, Path.Combine(project, Path.GetFileName(file)));

        ChildProcess.RunDotnet(project, TimeSpan.FromMinutes(4), "build", "-c", "Release", "-tl:off", $"-p:ModelDslVersion={packed.Version}");
        var run = ChildProcess.RunDotnet(project, TimeSpan.FromMinutes(2), Path.Combine("bin", "Release", "net10.0", "PackageConsumer.dll"));

        Assert.Contains("MODELDSL-PACKAGE-OK", run);
        if (OperatingSystem.IsLinux())
            Assert.True(File.Exists(Path.Combine(project, "obj", "Release", "net10.0", "ModelDsl.LibTorchSharp.stamp")), "build/ModelDsl.targets was not imported.");
    }

    [GeneratedRegex(@"warning [A-Z]+[0-9]+", RegexOptions.IgnoreCase)]
    private static partial Regex MsBuildWarning();
}
