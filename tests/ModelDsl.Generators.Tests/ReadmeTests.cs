using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ModelDsl.Generators.Tests;

/// <summary>Tests that change the process's current folder and console: nothing else runs beside them.</summary>
[CollectionDefinition(nameof(ProcessWide), DisableParallelization = true)]
public sealed class ProcessWide;

/// <summary>
/// The README's example, extracted from README.md as it stands (the model class and the program that makes its
/// data, trains, exports and serves), compiled with the generator as a console project would compile it, and run.
/// </summary>
[Collection(nameof(ProcessWide))]
public sealed partial class ReadmeTests
{
    /// <summary>The global usings of a <c>dotnet new console</c> project, where the README's program is meant to go.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [Fact]
    public void TheReadmeExampleCompilesAndRunsAsItStands()
    {
        var blocks = Example(File.ReadAllText(Readme()));
        Assert.StartsWith("// VideoRanker.cs", blocks[0], StringComparison.Ordinal);
        Assert.StartsWith("// Program.cs", blocks[1], StringComparison.Ordinal);

        var files = GeneratorHarness.Compilation([("ImplicitUsings.cs", ImplicitUsings), ("VideoRanker.cs", blocks[0]), ("Program.cs", blocks[1])]);
        var compilation = files.WithOptions(files.Options.WithOutputKind(Microsoft.CodeAnalysis.OutputKind.ConsoleApplication));
        var (result, output) = GeneratorHarness.Run(compilation);
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        var problems = result.Diagnostics.Concat(emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning)).ToList();
        Assert.True(problems.Count == 0 && emitted.Success, string.Join("\n", problems));

        var context = new AssemblyLoadContext("readme", isCollectible: true);
        var folder = Directory.CreateTempSubdirectory("modeldsl-readme-").FullName;
        var (directory, console, culture) = (Environment.CurrentDirectory, Console.Out, CultureInfo.CurrentCulture);
        using var written = new StringWriter(CultureInfo.InvariantCulture);
        try
        {
            // The program writes its model beside it, as a console app in its own folder would.
            Environment.CurrentDirectory = folder;
            Console.SetOut(written);
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            image.Position = 0;
            context.LoadFromStream(image).EntryPoint!.Invoke(null, [Array.Empty<string>()]);
        }
        finally
        {
            Console.SetOut(console);
            CultureInfo.CurrentCulture = culture;
            Environment.CurrentDirectory = directory;
            context.Unload();
        }
        try
        {
            var text = written.ToString();
            // It learnt the taste (a click AUC well above chance), exported the file, served it, and TorchSharp agrees.
            var auc = double.Parse(ClickAuc().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(auc > 0.65, text);
            Assert.True(new FileInfo(Path.Combine(folder, "video-ranker.onnx")).Length > 0);
            var served = ServedClick().Match(text).Groups[1].Value;
            Assert.Equal(served, EagerClick().Match(text).Groups[1].Value);
            Assert.NotEqual("", served);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The repository's README.md, above the test's folder.</summary>
    private static string Readme()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory.FullName, "ModelDsl.sln")))
            directory = directory.Parent ?? throw new FileNotFoundException("ModelDsl.sln not found above " + AppContext.BaseDirectory);
        return Path.Combine(directory.FullName, "README.md");
    }

    /// <summary>The C# blocks that follow the README's note that they are tested, up to the next prose.</summary>
    private static List<string> Example(string readme)
    {
        var start = readme.IndexOf("tests/ModelDsl.Generators.Tests/ReadmeTests.cs", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md no longer marks its tested example.");
        return [.. CSharpBlock().Matches(readme[start..]).Take(2).Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"Click: AUC ([0-9.]+)")]
    private static partial Regex ClickAuc();

    [GeneratedRegex(@"^click ([0-9.]+) %", RegexOptions.Multiline)]
    private static partial Regex ServedClick();

    [GeneratedRegex(@"^TorchSharp: click ([0-9.]+) %", RegexOptions.Multiline)]
    private static partial Regex EagerClick();
}
