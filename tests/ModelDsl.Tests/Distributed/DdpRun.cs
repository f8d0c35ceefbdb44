using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl.Distributed;
using ModelDsl.Testing;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// A distributed run as a user makes one: C# writes the shards and the training bundle (spec, initial
/// weights, the Python package) from a trainer, then <c>python3 -m modeldsl.launch</c> trains on them.
/// </summary>
internal sealed class DdpRun
{
    public DdpRun(string folder) => Folder = folder;

    public string Folder { get; }

    public string Bundle => Path.Combine(Folder, "bundle");

    public string Train => Path.Combine(Folder, "train");

    public string Validation => Path.Combine(Folder, "validation");

    public string Checkpoint => Path.Combine(Folder, "checkpoint");

    /// <summary>Writes the training (and validation) shards, then the bundle with the trainer's weights, which now hold the Standardize statistics.</summary>
    public static DdpRun Prepare<T>(string folder, ModelTrainer<T> trainer, TrainingOptions options, IEnumerable<T> train, IEnumerable<T>? validation = null)
    {
        var run = new DdpRun(folder);
        Shards.Write(trainer, train, run.Train, options: new ShardOptions { RowsPerShard = 1000 });
        if (validation is not null)
            Shards.Write(trainer, validation, run.Validation, ShardRole.Validation);
        TrainingBundle.Write(run.Bundle, trainer.Network, options);
        return run;
    }

    /// <summary>
    /// The same full-batch steps in both runtimes: the bundle is written from <paramref name="csharp"/> before it moves,
    /// <paramref name="initial"/> loads those weights, <paramref name="csharp"/> fits <paramref name="samples"/>, and one
    /// Python rank trains from the bundle into <paramref name="python"/>. Fails unless the C# trainer moved its weights and
    /// both runtimes end with the same weights and buffers within 1e-5.
    /// </summary>
    public static void TrainBoth<T>(string folder, ModelTrainer<T> csharp, ModelTrainer<T> initial, ModelTrainer<T> python,
        TrainingOptions options, IReadOnlyList<T> samples, string name)
    {
        var run = Prepare(folder, csharp, options, samples);
        initial.Load(Path.Combine(run.Bundle, "initial.weights"));
        csharp.Fit(samples);
        var weights = Path.Combine(folder, "python.weights");
        run.Launch(1, "--output", weights);
        python.Load(weights);
        Assert.True(Differ(initial.Network, csharp.Network), $"{name}: the C# trainer did not move the weights");
        AssertSameWeights(csharp.Network, python.Network, 1e-5, name);
    }

    /// <summary>Runs <paramref name="ranks"/> ranks on the bundle and shards; fails the test unless they succeed.</summary>
    public string Launch(int ranks, params string[] arguments)
    {
        var (exitCode, output) = LaunchUnchecked(ranks, arguments);
        Assert.True(exitCode == 0, $"modeldsl.launch exited with {exitCode}:\n{output}");
        return output;
    }

    /// <summary>Runs the launcher; returns its exit code and output (stdout and stderr interleaved).</summary>
    public (int ExitCode, string Output) LaunchUnchecked(int ranks, params string[] arguments)
    {
        using var child = Start(ranks, arguments);
        return (child.WaitForExit(TimeSpan.FromMinutes(5)), child.Output);
    }

    /// <summary>Starts the launcher, for a test that acts mid-run (<see cref="ChildProcess.WaitForLine"/>).</summary>
    public ChildProcess Start(int ranks, params string[] arguments)
    {
        PythonRuntime.RequireTorch();
        // The bundle carries the package: what a user ships to the machines.
        return PythonRuntime.Start(PythonRuntime.Interpreter, Folder, ["-m", "modeldsl.launch", "--nproc", $"{ranks}", "--bundle", Bundle, "--train", Train, .. arguments], Bundle);
    }

    /// <summary>Every parameter and buffer of two networks agree within <paramref name="tolerance"/> (relative above 1); the failure lists every entry that does not.</summary>
    public static void AssertSameWeights(TorchSharp.torch.nn.Module expected, TorchSharp.torch.nn.Module actual, double tolerance, string what)
    {
        var actualState = actual.state_dict();
        var failures = new List<string>();
        foreach (var (name, want) in expected.state_dict())
        {
            using var wanted = want.to_type(TorchSharp.torch.ScalarType.Float64);
            using var relative = (wanted - actualState[name].to_type(TorchSharp.torch.ScalarType.Float64)).abs() / wanted.abs().clamp_min(1);
            var worst = relative.max().item<double>();
            if (!(worst <= tolerance))
                failures.Add($"'{name}' by {worst:G3} in {relative.gt(tolerance).sum().item<long>()} of {relative.numel()} values");
        }
        Assert.True(failures.Count == 0, $"{what}: beyond {tolerance:G3}: {string.Join("; ", failures)}");
    }

    /// <summary>Whether two networks' weights differ at all (a check that a comparison can fail).</summary>
    public static bool Differ(TorchSharp.torch.nn.Module a, TorchSharp.torch.nn.Module b)
    {
        var other = b.state_dict();
        return a.state_dict().Any(entry => !entry.Value.eq(other[entry.Key]).all().item<bool>());
    }
}
