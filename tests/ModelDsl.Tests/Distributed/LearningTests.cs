using System;
using System.IO;
using ModelDsl.Training;
using Quickstart;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// On the quick start's data, two DDP ranks learn what the C# trainer learns with the same epochs, from the
/// same initial weights: validation AUC within 0.01 and RMSE within 2 %, both measured by the C# evaluator.
/// The runs differ in row order and dropout masks (numpy's and each rank's generators), so this is the
/// statistical check; the step-for-step one is <see cref="StepParityTests"/>.
/// </summary>
public sealed class LearningTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-learning-").FullName;

    [Fact]
    public void TwoRanksLandWhereTheCSharpTrainerLands()
    {
        var world = new SyntheticViews(users: 500, videos: 300, seed: 1);
        var train = world.Impressions(30_000);
        var validation = world.Impressions(8_000);
        // Annealed to a small rate, so both runs end settled rather than mid-way through a learning phase.
        var options = new TrainingOptions { Epochs = 8, BatchSize = 512, LearningRate = 2e-2, Schedule = LearningRateSchedule.Cosine(0.05), Seed = 42, Threads = 1 };
        using var csharp = new VideoRanker.Trainer(options);
        var run = DdpRun.Prepare(_folder, csharp, options, train, validation);

        csharp.Fit(train, validation);
        run.Launch(2, "--validation", run.Validation, "--output", Path.Combine(_folder, "ddp.weights"));
        using var ddp = new VideoRanker.Trainer(options);
        ddp.Load(Path.Combine(_folder, "ddp.weights"));

        var (expected, actual) = (csharp.Evaluate(validation), ddp.Evaluate(validation));
        var (click, watch) = (expected[0], expected[1]);
        Assert.True(click.Auc > 0.7, $"the C# trainer learned too little to compare: AUC {click.Auc:F4}");
        var message = $"AUC: DDP {actual[0].Auc:F4}, C# {click.Auc:F4}; RMSE: DDP {actual[1].Rmse:F4}, C# {watch.Rmse:F4}";
        Assert.True(Math.Abs(actual[0].Auc!.Value - click.Auc!.Value) <= 0.01, message);
        Assert.True(Math.Abs(actual[1].Rmse!.Value - watch.Rmse!.Value) <= 0.02 * watch.Rmse.Value, message);
    }

    [Fact]
    public void EarlyStoppingOnValidationShardsStopsAndRestoresTheBestEpoch()
    {
        // No later epoch can beat the first by an AUC of 1: with patience 1 the run stops after epoch 2 and
        // ends with epoch 1's weights, those of a one-epoch run.
        var options = new TrainingOptions { Epochs = 5, BatchSize = 64, LearningRate = 1e-2, EarlyStopping = new EarlyStopping("Click", Metric.Auc, Patience: 1, MinDelta: 1) };
        using var trainer = new StepParityModel.Trainer(options);
        var run = DdpRun.Prepare(_folder, trainer, options, StepParityModel.Samples(256, seed: 5), StepParityModel.Samples(128, seed: 6));

        var output = run.Launch(2, "--validation", run.Validation, "--output", Path.Combine(_folder, "stopped.weights"));
        run.Launch(2, "--validation", run.Validation, "--epochs", "1", "--output", Path.Combine(_folder, "first.weights"));

        Assert.Contains("\"epoch\": 2,", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"epoch\": 3,", output, StringComparison.Ordinal);
        using var stopped = new StepParityModel.Trainer(options);
        stopped.Load(Path.Combine(_folder, "stopped.weights"));
        using var first = new StepParityModel.Trainer(options);
        first.Load(Path.Combine(_folder, "first.weights"));
        Assert.False(DdpRun.Differ(first.Network, stopped.Network), "the stopped run does not hold the best (first) epoch's weights");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
