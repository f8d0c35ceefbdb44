using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using ModelDsl.Distributed;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>The training bundle: its spec is read off the TorchSharp network, and python/modeldsl/spec.py refuses a bad one by field.</summary>
public sealed class BundleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-bundle-").FullName;

    [Fact]
    public void SpecDescribesFeaturesTransformsAndEveryStateEntry()
    {
        using var network = new FeatureTypesModel.Network();
        var spec = TrainingBundle.Describe(network);

        Assert.Equal((BundleSpec.FormatName, BundleSpec.CurrentVersion, FeatureTypesModel.Schema.Fingerprint), (spec.Format, spec.Version, spec.Fingerprint));
        Assert.Equal(network.state_dict().Select(e => (e.Key, e.Value.shape.ToList())), spec.State.Select(e => (e.Name, e.Shape.ToList())));
        Assert.Equal(network.parameters().Count(), spec.State.Count(e => e.Parameter));
        var slots = spec.Embeddings.SelectMany(g => g.Slots.Select(s => (Group: g.Name, s.Segment, s.Length, s.Pooling))).ToList();
        Assert.Equal(7, slots.Count);
        // ItemId and RecentItems share the "item" segment; six segments for seven features.
        Assert.Equal(6, slots.Select(s => (s.Group, s.Segment)).Distinct().Count());
        Assert.Equal([(3, Pooling.Max), (4, Pooling.Sum), (5, Pooling.Mean)],
            slots.Where(s => s.Pooling is not null).Select(s => (s.Length, s.Pooling!.Value)).Order().ToArray());
        Assert.Equal(FeatureTypesModel.Schema.CategoricalCount, slots.Sum(s => s.Length));
        Assert.Equal([true, false, true, true], spec.NumericTransforms!.Log1p);
        Assert.Equal([true, true, false, false], spec.NumericTransforms.Standardize);
        Assert.Equal(BundleArchitectureKind.SharedBottom, spec.Architecture.Kind);
        Assert.Equal([16], spec.Architecture.Units!);
        Assert.Equal("tower_Click", Assert.Single(spec.Tasks).Tower.Module);
    }

    [Fact]
    public void ArchitecturesAreReadOffTheirModules()
    {
        using var mmoe = new MmoeModel.Network();
        using var omoe = new OmoeModel.Network();
        using var ple = new GatedPleModel.Network();

        var a = TrainingBundle.Describe(mmoe).Architecture;
        Assert.Equal((BundleArchitectureKind.MixtureOfExperts, 4, 2), (a.Kind, a.Experts!.Value, a.Gates!.Value));
        Assert.Equal([32, 16], a.ExpertUnits!);
        Assert.Equal([8], a.GateUnits!);
        Assert.Equal(1, TrainingBundle.Describe(omoe).Architecture.Gates);
        var p = TrainingBundle.Describe(ple).Architecture;
        Assert.Equal((BundleArchitectureKind.ProgressiveLayeredExtraction, 3, 1, 2), (p.Kind, p.Levels!.Value, p.SharedExperts!.Value, p.TaskExperts!.Value));
        Assert.Equal([16], p.ExpertUnits!);
        Assert.Equal([8, 4], p.GateUnits!);
        Assert.Null(p.ExpertNormalization);
    }

    [Fact]
    public void AdattAndNormalizedExpertsAreReadOffTheirModules()
    {
        using var adatt = new AdattModel.Network();
        using var sp = new AdattSpModel.Network();
        using var normalized = new NormalizedMmoeModel.Network();

        var a = TrainingBundle.Describe(adatt).Architecture;
        Assert.Equal((BundleArchitectureKind.AdaptiveTaskToTaskFusion, 2, 1, 2, true), (a.Kind, a.Levels!.Value, a.SharedExperts!.Value, a.TaskExperts!.Value, a.ExpertNormalization!.Value));
        Assert.Equal([32, 16], a.ExpertUnits!);
        var s = TrainingBundle.Describe(sp).Architecture;
        Assert.Equal((BundleArchitectureKind.AdaptiveTaskToTaskFusion, 0, 1, (bool?)null), (s.Kind, s.SharedExperts!.Value, s.TaskExperts!.Value, s.ExpertNormalization));
        Assert.Equal([4], s.GateUnits!);
        Assert.True(TrainingBundle.Describe(normalized).Architecture.ExpertNormalization);
        Assert.Equal(Activation.Swish, TrainingBundle.Describe(normalized).Regularization.Activation);
    }

    [Fact]
    public void RewriteLeavesOtherFilesAndCarriesTheOptionsAndExactlyThePackage()
    {
        using var network = new ClickWatchModel.Network();
        var bundle = Path.Combine(_folder, "bundle");
        Directory.CreateDirectory(bundle);
        File.WriteAllText(Path.Combine(bundle, "shard-0.npy"), "data");
        TrainingBundle.Write(bundle, network);
        File.WriteAllText(Path.Combine(bundle, TrainingBundle.PackageFolder, "retired.py"), "");
        TrainingBundle.Write(bundle, network, new TrainingOptions { Epochs = 7, Optimizer = OptimizerKind.Sgd, LossWeighting = new(LossWeightingStrategy.GradNorm, Alpha: 0.5) });

        Assert.Equal("data", File.ReadAllText(Path.Combine(bundle, "shard-0.npy")));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, TrainingBundle.SpecFile)))!;
        Assert.Equal(7, (int)json["training"]!["epochs"]!);
        Assert.Equal("sgd", (string)json["training"]!["optimizer"]!);
        Assert.Equal("grad_norm", (string)json["loss_weighting"]!["strategy"]!);
        Assert.Equal(0.5, (double)json["loss_weighting"]!["alpha"]!);
        Assert.Equal("none", (string)json["tasks"]![0]!["sample_weighting"]!);
        Assert.Equal(["kind", "units"], json["architecture"]!.AsObject().Select(p => p.Key));
        var shipped = Directory.GetFiles(Path.Combine(RepositoryRoot(), "src", "ModelDsl", "python", "modeldsl"), "*.py").Select(Path.GetFileName).Order();
        var package = Path.Combine(bundle, TrainingBundle.PackageFolder);
        Assert.Equal(shipped, Directory.GetFiles(package).Select(Path.GetFileName).Order());
        Assert.All(Directory.GetFiles(package), f => Assert.Equal(
            File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "ModelDsl", "python", "modeldsl", Path.GetFileName(f))), File.ReadAllText(f)));
        Assert.Empty(Directory.GetFiles(bundle, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void PythonRefusesASpecOfAnotherVersionOrWithABadFieldNamingIt()
    {
        using var network = new MmoeModel.Network();
        var bundle = Path.Combine(_folder, "bundle");
        TrainingBundle.Write(bundle, network);
        WriteVariant(bundle, "version", j => j["version"] = 2);
        WriteVariant(bundle, "kind", j => j["tasks"]![0]!.AsObject().Remove("kind"));
        WriteVariant(bundle, "units", j => j["architecture"]!["expert_units"] = "32");
        WriteVariant(bundle, "given", j => j["tasks"]![0]!["given"] = 9);
        WriteVariant(bundle, "format", j => j["format"] = "something-else");
        var spec = File.ReadAllText(Path.Combine(bundle, TrainingBundle.SpecFile));
        File.WriteAllText(Path.Combine(bundle, "broken.json"), spec[..(spec.Length / 2)]);

        var output = LoadSpecs(bundle, "version", "kind", "units", "given", "format", "broken", "missing");
        Assert.Contains("version -> The training bundle spec 'version.json': field 'version' is 2; this modeldsl package reads version 1 only", output, StringComparison.Ordinal);
        Assert.Contains("kind -> The training bundle spec 'kind.json': field 'tasks[0].kind' is missing.", output, StringComparison.Ordinal);
        Assert.Contains("units -> The training bundle spec 'units.json': field 'architecture.expert_units' must be a list", output, StringComparison.Ordinal);
        Assert.Contains("given -> The training bundle spec 'given.json': field 'tasks[0].given' must be -1 or the index of a binary task.", output, StringComparison.Ordinal);
        Assert.Contains("format -> The training bundle spec 'format.json': field 'format' must be 'modeldsl-training-bundle'", output, StringComparison.Ordinal);
        Assert.Contains("broken -> The training bundle spec 'broken.json' is not valid JSON", output, StringComparison.Ordinal);
        Assert.Contains("missing -> The training bundle spec 'missing.json' cannot be read", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EscmSettingsAndTheImputationTowerTravelInTheSpecAndPythonChecksThem()
    {
        using var dr = new Esmm.EscmDrModel.Network();
        using var ips = new Esmm.EscmIpsLowFloorModel.Network();
        var drTasks = TrainingBundle.Describe(dr).Tasks;
        var ipsTasks = TrainingBundle.Describe(ips).Tasks;
        Assert.Equal([null, Esmm.EscmDrModel.Schema.Tasks[1].Counterfactual], drTasks.Select(t => t.Counterfactual));
        Assert.Equal("imputation_Purchase", drTasks[1].Imputation!.Module);
        Assert.Equal([32], drTasks[1].Imputation!.Units);
        Assert.Null(drTasks[0].Imputation);
        Assert.Equal(new CounterfactualSettings(CounterfactualRegularizer.InversePropensity, 0.5, 0.02), ipsTasks[1].Counterfactual);
        Assert.Null(ipsTasks[1].Imputation);

        var bundle = Path.Combine(_folder, "bundle");
        TrainingBundle.Write(bundle, dr);
        var tasks = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, TrainingBundle.SpecFile)))!["tasks"]!;
        Assert.Equal("""{"regularizer":"doubly_robust","weight":0.5,"propensity_floor":0.1}""", tasks[1]!["counterfactual"]!.ToJsonString());
        Assert.Equal(["name", "kind", "loss_weight", "given", "sample_weighting", "tower", "classes"], tasks[0]!.AsObject().Select(p => p.Key));
        WriteVariant(bundle, "regularizer", j => j["tasks"]![1]!["counterfactual"]!["regularizer"] = "naive");
        WriteVariant(bundle, "floor", j => j["tasks"]![1]!["counterfactual"]!["propensity_floor"] = 0);
        WriteVariant(bundle, "imputation", j => j["tasks"]![1]!.AsObject().Remove("imputation"));
        WriteVariant(bundle, "given", j => j["tasks"]![0]!["counterfactual"] = j["tasks"]![1]!["counterfactual"]!.DeepClone());

        var output = LoadSpecs(bundle, "regularizer", "floor", "imputation", "given");
        Assert.Contains("built ['imputation_Purchase', 'imputation_Purchase.hidden'", output, StringComparison.Ordinal);
        Assert.Contains("field 'tasks[1].counterfactual.regularizer' must be one of inverse_propensity, doubly_robust, not 'naive'.", output, StringComparison.Ordinal);
        Assert.Contains("field 'tasks[1].counterfactual.propensity_floor' must be in (0, 1], not 0.", output, StringComparison.Ordinal);
        Assert.Contains("field 'tasks[1].imputation' must be present exactly when the counterfactual regularizer is doubly_robust.", output, StringComparison.Ordinal);
        Assert.Contains("field 'tasks[0].counterfactual' is set, but only a binary task with a given task has a counterfactual regularizer.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutPyTorchTheTestsFailSayingWhatToRun()
    {
        var problem = PythonRuntime.TorchProblem(Path.Combine(_folder, "no-such-python3"));
        Assert.NotNull(problem);
        Assert.Contains("Run the README's test command", PythonRuntime.MissingTorch("python3", problem), StringComparison.Ordinal);
        Assert.Null(PythonRuntime.TorchProblem(PythonRuntime.Interpreter));
    }

    /// <summary>Writes <paramref name="name"/>.json: the bundle's spec, changed.</summary>
    private static void WriteVariant(string bundle, string name, Action<JsonNode> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, TrainingBundle.SpecFile)))!;
        change(json);
        File.WriteAllText(Path.Combine(bundle, name + ".json"), json.ToJsonString());
    }

    /// <summary>
    /// Python builds the bundle's network (printing its imputation modules after "built"), then loads each spec <c>{name}.json</c>;
    /// returns the output, each refusal after "{name} ->". Fails if one loads.
    /// </summary>
    private static string LoadSpecs(string bundle, params string[] names)
    {
        var output = PythonRuntime.Run(bundle, """
            import sys
            from modeldsl import load_spec, build_network, SpecError
            print("built", [n for n, _ in build_network(load_spec("spec.json")).named_modules() if n.startswith("imputation_")])
            for name in sys.argv[1:]:
                try:
                    load_spec(name + ".json")
                    print(name, "LOADED")
                except SpecError as e:
                    print(name, "->", e)
            """, names);
        Assert.DoesNotContain("LOADED", output, StringComparison.Ordinal);
        return output;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "ModelDsl.sln")))
                return folder.FullName;
        throw new InvalidOperationException($"No ModelDsl.sln above {AppContext.BaseDirectory}.");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
