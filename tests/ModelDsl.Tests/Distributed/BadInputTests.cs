using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using ModelDsl.Distributed;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// The distributed trainer refuses what it cannot use with a message naming it (shards or weights of another
/// spec, a shard file of another width), and a rank killed mid-epoch fails the run naming the rank, leaves
/// the last checkpoint intact, and the resumed run ends where an uninterrupted one does.
/// </summary>
public sealed partial class BadInputTests : IDisposable
{
    private static readonly TrainingOptions Options = new() { BatchSize = 32, Epochs = 1, LearningRate = 1e-3 };
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-badinput-").FullName;

    [Fact]
    public void ShardsOfAnotherSpecAreRefusedNamingBoth()
    {
        var run = Prepare();
        using (var other = new ClickWatchModel.Trainer())
            Shards.Write(other, new SyntheticData(1).Samples(40, seed: 1), run.Train);

        var output = Fail(run);

        Assert.Contains($"The shards '{run.Train}' were encoded for {ClickWatchModel.Schema.Name} (spec fingerprint {ClickWatchModel.Schema.Fingerprint}), " +
            $"but the bundle is {StepParityModel.Schema.Name}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void WeightsOfAnotherSpecAreRefusedNamingTheFile()
    {
        var run = Prepare();
        var otherWeights = Path.Combine(_folder, "other.weights");
        using (var other = new ClickWatchModel.Trainer())
            other.Save(otherWeights);

        var output = Fail(run, "--weights", otherWeights);

        Assert.Contains($"The weights file '{otherWeights}' was saved from a model spec with fingerprint {ClickWatchModel.Schema.Fingerprint}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AShardFileWithTheWrongColumnCountIsRefusedNamingTheFile()
    {
        var run = Prepare();
        var manifest = ShardManifest.Read(run.Train);
        var file = Path.Combine(run.Train, manifest.Shards[0].Numeric);
        File.Delete(file);
        using (var wide = new ShardNpyFile<float>(file, manifest.Columns.Numeric + 1))
        {
            wide.Append(new float[manifest.Shards[0].Rows * (manifest.Columns.Numeric + 1)], (int)manifest.Shards[0].Rows);
            wide.Complete();
        }

        var output = Fail(run);

        Assert.Contains($"The shard file '{file}' has 3 columns ({manifest.Shards[0].Rows}×3), but numeric takes 2.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EarlyStoppingOnAnAucTheValidationShardsCannotDefineIsRefused()
    {
        var options = Options with { EarlyStopping = new EarlyStopping("Click") };
        using var trainer = new StepParityModel.Trainer(options);
        var negatives = StepParityModel.Samples(200, seed: 3).Where(s => !s.Click).ToList();
        var run = DdpRun.Prepare(_folder, trainer, options, StepParityModel.Samples(64, seed: 2), negatives);

        var output = Fail(run, "--validation", run.Validation);

        Assert.Contains($"early_stopping watches the AUC of 'Click', which is undefined on the validation shards '{run.Validation}': " +
            $"all {negatives.Count} samples are negative.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ARankKilledMidEpochFailsTheRunNamingItAndTheResumedRunEndsAsAnUninterruptedOne()
    {
        var options = Options with { BatchSize = 8, Epochs = 3 };
        using var trainer = new StepParityModel.Trainer(options);
        var run = DdpRun.Prepare(_folder, trainer, options, StepParityModel.Samples(3000, seed: 9));
        var final = Path.Combine(_folder, "final.weights");
        var checkpoint = Path.Combine(run.Checkpoint, "checkpoint.weights");
        var timeout = TimeSpan.FromMinutes(5);

        using var child = run.Start(2, "--checkpoint", run.Checkpoint, "--output", final);
        var victim = int.Parse(RankPid().Match(child.WaitForLine(RankPid().IsMatch, timeout)).Groups[1].Value, CultureInfo.InvariantCulture);
        // Epoch 1 is checkpointed before it is reported: kill rank 1 early in epoch 2.
        child.WaitForLine(line => line.Contains("modeldsl epoch {\"epoch\": 1,", StringComparison.Ordinal), timeout);
        Process.GetProcessById(victim).Kill();
        var exitCode = child.WaitForExit(timeout);
        var output = child.Output;

        Assert.Equal(1, exitCode);
        Assert.Contains("modeldsl: rank 1 of 2 was killed by signal SIGKILL; the run failed and the other ranks were stopped. " +
            $"The last checkpoint, '{Path.Combine(run.Checkpoint, "training-state.pt")}' (epoch 1), is intact: rerun with --resume to continue.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"epoch\": 2,", output, StringComparison.Ordinal);
        Assert.False(File.Exists(final));
        using (var last = new StepParityModel.Trainer(options))
            last.Load(checkpoint);

        var resumed = run.Launch(2, "--checkpoint", run.Checkpoint, "--resume", "--output", final);
        run.Launch(1, "--output", Path.Combine(_folder, "uninterrupted.weights"));

        Assert.DoesNotContain("\"epoch\": 1,", resumed, StringComparison.Ordinal);
        Assert.Contains("\"epoch\": 3,", resumed, StringComparison.Ordinal);
        using var afterResume = new StepParityModel.Trainer(options);
        afterResume.Load(final);
        using var uninterrupted = new StepParityModel.Trainer(options);
        uninterrupted.Load(Path.Combine(_folder, "uninterrupted.weights"));
        DdpRun.AssertSameWeights(uninterrupted.Network, afterResume.Network, 1e-5, "resumed against uninterrupted");
    }

    private DdpRun Prepare()
    {
        using var trainer = new StepParityModel.Trainer(Options);
        return DdpRun.Prepare(_folder, trainer, Options, StepParityModel.Samples(64, seed: 2));
    }

    /// <summary>One rank; the run must fail, and its output is returned.</summary>
    private static string Fail(DdpRun run, params string[] arguments)
    {
        var (exitCode, output) = run.LaunchUnchecked(1, arguments);
        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Contains("modeldsl: rank 0 of 1 failed with exit code 1", output, StringComparison.Ordinal);
        return output;
    }

    [GeneratedRegex(@"modeldsl: rank 1 of 2, pid (\d+)")]
    private static partial Regex RankPid();

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
