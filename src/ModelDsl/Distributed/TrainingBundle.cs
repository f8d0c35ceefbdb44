using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using ModelDsl.IO;
using ModelDsl.Layers;
using ModelDsl.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Distributed;

/// <summary>
/// Writes a distributed training bundle for a model: <c>spec.json</c> (a <see cref="BundleSpec"/>), the
/// network's current weights as <c>initial.weights</c> (a weights file <see cref="ModelTrainer{TSample}.Load"/>
/// reads), and the <c>modeldsl</c> Python package that builds the same network in PyTorch and trains it.
/// The spec is read off the TorchSharp network's modules, so its layer sizes and state names cannot
/// drift from the network's.
/// </summary>
public static class TrainingBundle
{
    /// <summary>The spec's file name in a bundle.</summary>
    public const string SpecFile = "spec.json";

    /// <summary>The initial weights' file name in a bundle.</summary>
    public const string WeightsFile = "initial.weights";

    /// <summary>The Python package's folder in a bundle.</summary>
    public const string PackageFolder = "modeldsl";

    private const string ResourcePrefix = "modeldsl/";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
    };

    /// <summary>
    /// Writes the bundle of <paramref name="network"/> into <paramref name="directory"/> (created if
    /// missing; other files there, such as data shards, are left alone). Each file is written atomically,
    /// the spec last, so a bundle with a spec is whole.
    /// </summary>
    /// <param name="directory">The bundle's folder.</param>
    /// <param name="network">The network, e.g. <c>trainer.Network</c>; its current weights become <c>initial.weights</c>.</param>
    /// <param name="options">The training options the Python trainer follows; null for the defaults.</param>
    public static void Write(string directory, MultiTaskNetwork network, TrainingOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(network);
        options ??= new TrainingOptions();
        options.Validate();
        var spec = Describe(network, options);
        var package = Path.Combine(directory, PackageFolder);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, content) in PackageFiles())
        {
            AtomicFile.Write(Path.Combine(package, name), content.CopyTo);
            written.Add(name);
        }
        // A module an earlier ModelDsl shipped would still be importable.
        foreach (var stale in Directory.GetFiles(package, "*.py").Where(f => !written.Contains(Path.GetFileName(f))))
            File.Delete(stale);
        Checkpoint.Save(Path.Combine(directory, WeightsFile), network);
        AtomicFile.Write(Path.Combine(directory, SpecFile), stream => JsonSerializer.Serialize(stream, spec, Json));
    }

    /// <summary>The bundle spec of a network, read off its modules; <paramref name="options"/> null for the defaults.</summary>
    public static BundleSpec Describe(MultiTaskNetwork network, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new TrainingOptions();
        var schema = network.Schema;
        var children = network.named_children().ToList();
        // The tasks' towers, then the ESCM²-DR imputation towers in ImputedTasks order, as the generated Network declares them.
        var towers = children.Where(c => c.module is Tower).ToList();
        if (towers.Count != schema.Tasks.Count + schema.ImputedTasks.Count)
            throw new ArgumentException($"The network of {schema.Name} has {towers.Count} towers for {schema.Tasks.Count} tasks and {schema.ImputedTasks.Count} imputation towers.", nameof(network));
        var imputations = new Dictionary<int, BundleTower>();
        for (var i = 0; i < schema.ImputedTasks.Count; i++)
            imputations[schema.ImputedTasks[i]] = TowerOf(towers[schema.Tasks.Count + i]);
        var parameters = network.named_parameters().Select(p => p.name).ToHashSet();
        return new BundleSpec(
            BundleSpec.FormatName,
            BundleSpec.CurrentVersion,
            schema.Name,
            schema.Fingerprint,
            ModelSchema.LibraryVersion,
            schema.CategoricalCount,
            schema.NumericCount,
            schema.Features,
            children.Where(c => c.module is EmbeddingGroup).Select(c => Embeddings(c.name, (EmbeddingGroup)c.module)).ToArray(),
            children.Where(c => c.module is NumericTransforms).Select(c => (NumericTransforms)c.module)
                .Select(t => new BundleNumericTransforms(t.GetName(), t.Log1pColumns, t.StandardizeColumns)).SingleOrDefault(),
            Architecture(schema, children.Select(c => c.module).ToList()),
            schema.Tasks.Select((task, t) => new BundleTask(task.Name, task.Kind, task.LossWeight, task.Given, task.Weighting, TowerOf(towers[t]), task.Classes)
            {
                Counterfactual = task.Counterfactual,
                Imputation = imputations.GetValueOrDefault(t),
            }).ToArray(),
            schema.Outputs,
            schema.Regularization,
            options.LossWeighting ?? schema.LossWeighting,
            options,
            network.state_dict().Select(entry => new BundleStateEntry(entry.Key, entry.Value.shape, DtypeName(entry.Value.dtype), parameters.Contains(entry.Key))).ToArray())
        {
            EmbeddingGate = children.Where(c => c.module is PriorGate).Select(c => (PriorGate)c.module)
                .Select(g => new BundleGate(g.GetName(), g.PriorColumns, [g.Units])).SingleOrDefault(),
            TowerGates = children.Where(c => c.module is TowerGates).Select(c => (TowerGates)c.module)
                .Select(t => new BundleGate(t.GetName(), t.Layers[0].PriorColumns, t.Layers.Select(g => g.Units).ToArray())).SingleOrDefault(),
            Vocabularies = network.Vocabularies.Any ? Convert.ToBase64String(network.Vocabularies.ToBytes()) : null,
        };
    }

    private static BundleTower TowerOf((string name, nn.Module module) tower) => new(tower.name, Units(((Tower)tower.module).Hidden.Layers));

    private static BundleEmbeddings Embeddings(string name, EmbeddingGroup group) =>
        new(name, group.FirstColumn, group.Dim, group.Segments, group.Slots.Select(s => new BundleSlot(s.Segment, s.Length, s.Pooling)).ToArray());

    private static BundleArchitecture Architecture(ModelSchema schema, List<nn.Module> modules)
    {
        if (modules.OfType<Mlp>().SingleOrDefault() is { } bottom)
            return new(BundleArchitectureKind.SharedBottom, Units: Units(bottom.Layers));
        if (modules.OfType<ExpertGroup>().SingleOrDefault() is { } experts)
        {
            var gates = modules.OfType<GateGroup>().Single();
            return new(BundleArchitectureKind.MixtureOfExperts, Experts: experts.Experts, Gates: gates.Gates,
                ExpertUnits: experts.Units, GateUnits: gates.HiddenUnits.ToArray(), ExpertNormalization: Normalized(experts));
        }
        var levels = modules.OfType<ExtractionLevel>().ToList();
        if (levels.Count == 0)
            throw new ArgumentException($"The network of {schema.Name} has no shared bottom, experts or extraction levels.");
        var first = levels[0];
        var taskExperts = first.TaskExperts[0];
        return new(first.AdaptiveFusion ? BundleArchitectureKind.AdaptiveTaskToTaskFusion : BundleArchitectureKind.ProgressiveLayeredExtraction,
            Levels: levels.Count, SharedExperts: first.SharedExperts?.Experts ?? 0, TaskExperts: taskExperts.Experts, ExpertUnits: taskExperts.Units,
            GateUnits: first.Gates.HiddenUnits.ToArray(), ExpertNormalization: Normalized(taskExperts));
    }

    private static bool? Normalized(ExpertGroup experts) => experts.Normalization is null ? null : true;

    private static int[] Units(ModuleList<Linear> layers) => layers.Select(l => (int)l.weight!.shape[0]).ToArray();

    private static string DtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Int64 => "int64",
        ScalarType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "A ModelDsl network holds no tensors of this type."),
    };

    /// <summary>The Python package's files, embedded in this assembly (so a bundle needs no package folder on disk).</summary>
    private static IEnumerable<(string Name, Stream Content)> PackageFiles()
    {
        var assembly = typeof(TrainingBundle).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"The resource '{resource}' of {assembly.GetName().Name} cannot be read.");
            yield return (resource[ResourcePrefix.Length..], stream);
        }
    }
}
