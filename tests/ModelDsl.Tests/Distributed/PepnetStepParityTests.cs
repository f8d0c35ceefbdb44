using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>PEPNet's gates on MMoE: EPNet over an id and a transformed number, PPNet over a pooled sequence, towers of two depths.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 2, ExpertUnits = new[] { 8 })]
[EmbeddingPersonalization(nameof(UserId), nameof(Views))]
[ParameterPersonalization(nameof(RecentItems), GateUnits = 6)]
[Regularization(DenseL2 = 1e-3)]
public partial class PepnetStepModel
{
    [Categorical(Vocabulary = 60, Dim = 8, Group = "item")] public long ItemId { get; init; }
    [Categorical(Vocabulary = 60, Dim = 8, Group = "item", MaxLength = 4)] public long[] RecentItems { get; init; } = [];
    [Categorical(Vocabulary = 30, Dim = 4)] public int UserId { get; init; }
    [Numeric(Transform = NumericTransform.Log1p | NumericTransform.Standardize)] public float Views { get; init; }

    [BinaryTask(Tower = new[] { 8, 4 })] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 4 })] public float Watch { get; init; }

    public static List<PepnetStepModel> Samples(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var item = random.Next(40);
            return new PepnetStepModel
            {
                ItemId = item, RecentItems = Enumerable.Range(0, random.Next(5)).Select(_ => (long)random.Next(40)).ToArray(), UserId = random.Next(20),
                Views = (float)(random.NextDouble() * 1000), Click = random.NextDouble() < 0.3 + item % 3 * 0.2, Watch = (float)(item % 5 + random.NextDouble()),
            };
        }).ToList();
    }
}

/// <summary>
/// From the same weights on the same batch, three steps of the PyTorch trainer on a PEPNet model agree with the C#
/// trainer's within 1e-5: the gates' forward, their stop-gradient and their gradients are the same in both runtimes.
/// </summary>
public sealed class PepnetStepParityTests : IDisposable
{
    private const int Rows = 96;
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-pepstep-").FullName;

    [Fact]
    public void ThreeStepsAgreeWithTheCSharpTrainer()
    {
        var options = new TrainingOptions { BatchSize = Rows, Epochs = 3, LearningRate = 1e-3, Threads = 1 };
        var samples = PepnetStepModel.Samples(Rows, seed: 3);
        using var csharp = new PepnetStepModel.Trainer(options);
        using var initial = new PepnetStepModel.Trainer(options);
        using var python = new PepnetStepModel.Trainer(options);
        DdpRun.TrainBoth(_folder, csharp, initial, python, options, samples, "PEPNet, lazy Adam");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
