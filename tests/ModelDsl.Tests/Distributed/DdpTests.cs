using System;
using System.IO;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// Two processes over gloo on 127.0.0.1 take 20 steps; their weights are equal to each other and, within
/// 1e-5, to one process trained on the combined batches. The batch of 33 rows splits 16/17 and the last
/// batch of each epoch is short, GradNorm all-reduces its norms, lazy Adam takes the union of both ranks'
/// rows, and the embedding L2 of each rank's lookups adds up to the whole batch's.
/// </summary>
public sealed class DdpTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-ddp-").FullName;

    [Fact]
    public void TwoRanksTakeTheStepsOfOneProcessOnTheCombinedBatches()
    {
        var options = new TrainingOptions
        {
            BatchSize = 33, Epochs = 2, LearningRate = 1e-3, WeightDecay = 1e-3, LossWeighting = new LossWeightingSettings(LossWeightingStrategy.GradNorm),
        };
        using var trainer = new StepParityModel.Trainer(options);
        var run = DdpRun.Prepare(_folder, trainer, options, StepParityModel.Samples(320, seed: 4));

        var output = run.Launch(2, "--output", Path.Combine(_folder, "rank{rank}.weights"));
        run.Launch(1, "--output", Path.Combine(_folder, "single.weights"));

        Assert.Contains("\"epoch\": 2", output, StringComparison.Ordinal);
        using var rank0 = Load(options, "rank0.weights");
        using var rank1 = Load(options, "rank1.weights");
        using var single = Load(options, "single.weights");
        using var initial = new StepParityModel.Trainer(options);
        initial.Load(Path.Combine(run.Bundle, "initial.weights"));
        Assert.True(DdpRun.Differ(initial.Network, single.Network), "training did not move the weights");
        Assert.False(DdpRun.Differ(rank0.Network, rank1.Network), "the ranks' weights differ");
        DdpRun.AssertSameWeights(single.Network, rank0.Network, 1e-5, "two ranks against one process");
    }

    private StepParityModel.Trainer Load(TrainingOptions options, string file)
    {
        var trainer = new StepParityModel.Trainer(options);
        trainer.Load(Path.Combine(_folder, file));
        return trainer;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
