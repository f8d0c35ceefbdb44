using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CsCheck;
using ModelDsl.Layers;
using ModelDsl.Tests;
using Xunit;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// PyTorch's forward (python/modeldsl, driven by the bundle spec) on weights saved by C# serves what the
/// TorchSharp network serves, within 1e-5, for every reference model and for random valid specs of the
/// end-to-end generator: every architecture, feature type, pooling, Group, transform, Given chain and odds;
/// and its L2 penalty is TorchSharp's within 1e-5 relative; ESCM²-DR's imputation towers give TorchSharp's columns.
/// One compilation and one Python process for all of them.
/// </summary>
public sealed partial class DistributedForwardParityTests : IDisposable
{
    private const int RandomSpecs = 60;

    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-pyparity-").FullName;

    [Fact]
    public void PyTorchServesWhatTorchSharpServesForReferenceAndRandomSpecs()
    {
        RandomValidModels.ValidUnlearned.Array[RandomSpecs].Sample(models =>
        {
            // A learned vocabulary exists only after a first pass over data; ModelDsl.Tests' LearnedVocabularyBundleTests cover it.
            var sources = ReferenceModels.All.Where(s => s != ReferenceModels.Learned).Concat(models.Select(m => m.Source)).Select(InNamespace).ToArray();
            using var batch = SpecBatch.Compile(sources);
            manual_seed(7);
            var networks = batch.Models.Select((type, i) => (MultiTaskNetwork)Activator.CreateInstance(
                (type ?? throw new XunitException($"Spec {i} has no model class:\n{sources[i]}")).GetNestedType("Network")!)!).ToList();
            try
            {
                // The reference ESCM² model at least: its imputation tower's columns are compared too.
                Assert.Contains(networks, n => n.Schema.ImputedTasks.Count > 0);
                PythonRuntime.CheckForward(networks, _folder);
            }
            finally
            {
                networks.ForEach(n => n.Dispose());
            }
        }, iter: 1, threads: 1, print: models => $"a batch of {models.Length} specs");
    }

    /// <summary>The spec in namespace Spec{i}, as <see cref="SpecBatch"/> tells specs apart.</summary>
    private static string InNamespace(string source, int i) =>
        "using ModelDsl;\n" + $"namespace Spec{i};\n" + Namespace().Replace(source.Replace("using ModelDsl;", "", StringComparison.Ordinal), "");

    [GeneratedRegex(@"^\s*namespace [\w.]+;\s*$", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
