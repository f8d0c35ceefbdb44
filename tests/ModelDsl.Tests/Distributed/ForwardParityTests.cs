using System;
using System.IO;
using System.Linq;
using System.Reflection;
using ModelDsl.Layers;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// PyTorch's forward (python/modeldsl), on weights saved by C#, serves what TorchSharp serves within
/// 1e-5 for every model of this test assembly: the reference models in Models/, the examples' specs
/// and those of other tests (every architecture, feature type, pooling, transform and task kind, ESCM²'s imputation towers).
/// The random specs of the end-to-end generator are checked in ModelDsl.Generators.Tests.
/// </summary>
public sealed class ForwardParityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-parity-").FullName;

    [Fact]
    public void PyTorchServesWhatTorchSharpServesForEveryModelOfTheTests()
    {
        var models = typeof(ForwardParityTests).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<MultiTaskModelAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
        Assert.True(models.Count >= 10, $"only {models.Count} models found");
        // ESCM²-DR's imputation towers are compared too (PythonRuntime.CheckForward).
        Assert.Contains(models, t => ((ModelSchema)t.GetProperty("Schema")!.GetValue(null)!).ImputedTasks.Count > 0);
        manual_seed(11);
        var networks = models.Select(t => (MultiTaskNetwork)Activator.CreateInstance(t.GetNestedType("Network")!)!).ToList();
        try
        {
            // A learned vocabulary changes no layer (the forward reads rows), but a bundle carries one: two values each.
            foreach (var network in networks.Where(n => n.Vocabularies.Any))
                network.Vocabularies.Set([.. network.Vocabularies.Features.Select(i => TwoValues(network.Schema.Features[i]))]);
            PythonRuntime.CheckForward(networks, _folder);
        }
        finally
        {
            networks.ForEach(n => n.Dispose());
        }
    }

    private static LearnedVocabulary TwoValues(FeatureInfo feature) => feature.Learned!.Strings
        ? LearnedVocabulary.OfStrings(feature.Name, new() { ["a"] = 2, ["b"] = 1 }, 1, feature.Vocabulary)
        : LearnedVocabulary.OfIds(feature.Name, new() { [7] = 2, [-3] = 1 }, 1, feature.Vocabulary);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
