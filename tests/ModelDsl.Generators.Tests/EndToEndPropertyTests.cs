using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using CsCheck;
using Microsoft.CodeAnalysis;
using ModelDsl.Layers;
using ModelDsl.Tests;
using ModelDsl.Training;
using Xunit;
using Xunit.Abstractions;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Over random valid specs (<see cref="RandomModels.Clean"/>: every architecture, feature and task kind,
/// Given chains, sample weights, regularization): the generated code compiles with zero warnings, a
/// training step runs, the model exports, ONNX Runtime loads it through the generated Predictor, and
/// every output equals TorchSharp's within 1e-5. Runs within a fixed time budget (about 1–8 s a spec on 2 cores:
/// compiling and emitting dominates); a failure prints the
/// spec's source to replay.
/// </summary>
public sealed class EndToEndPropertyTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(75);
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-e2e-").FullName;

    [Fact]
    public void RandomSpecsTrainExportAndMatchOnnx()
    {
        var clock = Stopwatch.StartNew();
        int checkedSpecs = 0, skipped = 0;
        RandomModels.Clean.Sample(model =>
        {
            if (clock.Elapsed > Budget)
                return;
            var (result, compilation) = GeneratorHarness.Run(model.Source);
            if (result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                skipped++;   // a reserved name: the diagnostics tests' business
                return;
            }
            using var image = new MemoryStream();
            var emitted = compilation.Emit(image);   // its diagnostics are the compilation's: one binding, not two
            var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(emitted.Success && problems.Count == 0, string.Join("\n", problems));
            image.Position = 0;
            var context = new AssemblyLoadContext("spec", isCollectible: true);
            try
            {
                var type = context.LoadFromStream(image).GetTypes().Single(t => t.GetCustomAttribute<MultiTaskModelAttribute>() is not null);
                TrainExportAndCompare(type, Path.Combine(_folder, $"{checkedSpecs}.onnx"));
            }
            finally
            {
                context.Unload();
            }
            checkedSpecs++;
        }, iter: 400, threads: 1, print: model => "\n" + model.Source);

        output.WriteLine($"{checkedSpecs} random specs trained, exported and matched in {clock.Elapsed.TotalSeconds:F0} s; {skipped} skipped as invalid");
        Assert.True(checkedSpecs >= 5, $"only {checkedSpecs} specs checked within the budget");
    }

    /// <summary>Builds random samples for the model through reflection, trains one epoch, exports, serves and compares.</summary>
    private static void TrainExportAndCompare(Type type, string path)
    {
        var schema = (ModelSchema)type.GetProperty("Schema", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        var random = new Random(1);
        var samples = Array.CreateInstance(type, 48);
        for (var i = 0; i < samples.Length; i++)
        {
            var sample = Activator.CreateInstance(type)!;
            foreach (var feature in schema.Features)
                Set(sample, feature.Name, feature.Kind == FeatureKind.Categorical ? random.Next(feature.Vocabulary) : random.NextDouble() * 4 - 2);
            foreach (var task in schema.Tasks)
                Set(sample, task.Name, task.Kind == TaskKind.Binary ? random.Next(2) : random.NextDouble());
            foreach (var weight in type.GetMembers().Where(m => m.GetCustomAttribute<SampleWeightAttribute>() is not null))
                Set(sample, weight.Name, random.Next(1, 4));
            samples.SetValue(sample, i);
        }

        var trainerType = type.GetNestedType("Trainer")!;
        var trainer = (IDisposable)Activator.CreateInstance(trainerType, new TrainingOptions { Epochs = 1, BatchSize = 16, Seed = 3 })!;
        using (trainer)
        {
            trainerType.GetMethod("Fit")!.Invoke(trainer, [samples, null, null, null, null]);
            trainerType.GetMethod("ExportOnnx")!.Invoke(trainer, [path]);
            var network = (MultiTaskNetwork)typeof(ModelTrainer<>).MakeGenericType(type).GetProperty("Network")!.GetValue(trainer)!;
            using (var predictor = (IDisposable)Activator.CreateInstance(type.GetNestedType("Predictor")!, path, null)!)
            {
            }
            Parity.Check(network, path, rows: 32);
        }
    }

    private static void Set(object target, string name, double value)
    {
        var member = target.GetType().GetMember(name, MemberTypes.Field | MemberTypes.Property, BindingFlags.Public | BindingFlags.Instance).Single();
        var (memberType, set) = member switch
        {
            PropertyInfo p => (p.PropertyType, (Action<object?>)(v => p.SetValue(target, v))),
            FieldInfo f => (f.FieldType, v => f.SetValue(target, v)),
            _ => throw new InvalidOperationException($"{name} is neither a property nor a field"),
        };
        set(memberType == typeof(bool) ? value != 0 : Convert.ChangeType(value, memberType, System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
