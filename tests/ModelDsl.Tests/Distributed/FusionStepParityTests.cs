using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>AdaTT with learned residual weights over normalized two-layer experts and Swish, for <see cref="FusionStepParityTests"/>.</summary>
[MultiTaskModel]
[AdaptiveTaskToTaskFusion(Levels = 2, SharedExperts = 1, TaskExperts = 2, ExpertUnits = new[] { 8, 4 }, GateUnits = new[] { 3 }, ExpertNormalization = true)]
[Regularization(Activation = Activation.Swish, DenseL2 = 1e-3)]
public partial class FusionStepParityModel
{
    [Categorical(Vocabulary = 30, Dim = 4)] public int UserId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 4 })] public bool Click { get; init; }
    [RegressionTask] public float Watch { get; init; }

    public static List<FusionStepParityModel> Samples(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var user = random.Next(30);
            return new FusionStepParityModel
            {
                UserId = user, Price = (float)(random.NextDouble() * 10),
                Click = random.NextDouble() < 0.2 + user % 3 * 0.2, Watch = (float)(user % 4 + random.NextDouble()),
            };
        }).ToList();
    }
}

/// <summary>
/// The PyTorch trainer's steps agree with the C# trainer's within 1e-5 on a normalized AdaTT: batch statistics in
/// the forward and backward, the running statistics' update (buffers compared like weights), the fusion gates and
/// the learned residual weights. Three full-batch steps, one rank, as in <see cref="StepParityTests"/>.
/// </summary>
public sealed class FusionStepParityTests : IDisposable
{
    private const int Rows = 64;
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-fusion-step-").FullName;

    [Fact]
    public void ThreeStepsOfANormalizedAdattAgreeWithTheCSharpTrainer()
    {
        var options = new TrainingOptions { BatchSize = Rows, Epochs = 3, LearningRate = 1e-3, Threads = 1 };
        var samples = FusionStepParityModel.Samples(Rows, seed: 5);
        using var csharp = new FusionStepParityModel.Trainer(options);
        using var initial = new FusionStepParityModel.Trainer(options);
        using var python = new FusionStepParityModel.Trainer(options);
        DdpRun.TrainBoth(_folder, csharp, initial, python, options, samples, "normalized AdaTT");
        var means = csharp.Network.state_dict().Where(e => e.Key.EndsWith(".runningMean", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(means);
        Assert.All(means, e => Assert.True(e.Value.abs().max().item<float>() > 0, $"{e.Key} never moved"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
