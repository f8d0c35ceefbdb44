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
/// and those of other tests (every architecture, feature type, pooling, transform and task kind).
/// The random specs of the end-to-end generator are checked in ModelDsl.Generators.Tests.
/// </summary>
public sealed class ForwardParityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-parity-").FullName;

    [Fact]
    public void PyTorchServesWhatTorchSharpServesForEveryModelOfTheTests()
    {
        var all = typeof(ForwardParityTests).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<MultiTaskModelAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
        // The distributed trainer refuses ESCM²'s regularizers, naming the option: nothing to serve for those models.
        var refused = all.Where(t => ((ModelSchema)t.GetProperty("Schema")!.GetValue(null)!).Tasks.Any(task => task.Counterfactual is not null)).ToList();
        var models = all.Except(refused).ToList();
        Assert.True(models.Count >= 10, $"only {models.Count} models found");
        foreach (var type in refused)
        {
            using var network = (MultiTaskNetwork)Activator.CreateInstance(type.GetNestedType("Network")!)!;
            Assert.Contains("Counterfactual", Assert.Throws<ArgumentException>(() => ModelDsl.Distributed.TrainingBundle.Describe(network)).Message, StringComparison.Ordinal);
        }
        manual_seed(11);
        var networks = models.Select(t => (MultiTaskNetwork)Activator.CreateInstance(t.GetNestedType("Network")!)!).ToList();
        try
        {
            PythonRuntime.CheckForward(networks, _folder);
        }
        finally
        {
            networks.ForEach(n => n.Dispose());
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
