using System;
using System.IO;
using System.Linq;
using ModelDsl.Training;

namespace ModelDsl.Tests.Chaos;

/// <summary>
/// A tiny model whose checkpoints are large (most of an epoch is spent writing one), so random kills
/// land in checkpoint writes as often as in training.
/// </summary>
[MultiTaskModel]
[SharedBottom(8)]
public partial class ChaosModel
{
    [Categorical(Vocabulary = 100_000, Dim = 8)] public long ItemId { get; init; }
    [Numeric] public float Price { get; init; }
    [BinaryTask(Tower = new[] { 4 })] public bool Click { get; init; }
}

/// <summary>The training run the chaos test kills, started by <see cref="ChildCommands"/> and replayed in the test.</summary>
internal static class ChaosTraining
{
    public const int Epochs = 40;
    public const string CheckpointName = "run.checkpoint";
    public const string WeightsName = "final.weights";

    public static TrainingOptions Options(string? checkpoint) =>
        new() { Epochs = Epochs, BatchSize = 64, Threads = 1, Seed = 11, CheckpointPath = checkpoint };

    public static ChaosModel[] Samples()
    {
        var random = new Random(3);
        return [.. Enumerable.Range(0, 256).Select(_ =>
        {
            var item = random.NextInt64(100_000);
            var price = (float)random.NextDouble();
            return new ChaosModel { ItemId = item, Price = price, Click = (item % 7 == 0) ^ (price > 0.8f) };
        })];
    }

    /// <summary>Trains in <paramref name="folder"/>, resuming from its checkpoint if it has one, then saves the weights.</summary>
    /// <param name="folder">Holds the checkpoint and the weights.</param>
    /// <param name="epochDone">Called after each epoch and its checkpoint, with the epoch's number.</param>
    public static void Run(string folder, Action<int> epochDone)
    {
        var checkpoint = Path.Combine(folder, CheckpointName);
        using var trainer = new ChaosModel.Trainer(Options(checkpoint));
        trainer.Fit(Samples(), progress: new EpochEnds(epochDone), resumeFrom: File.Exists(checkpoint) ? checkpoint : null);
        trainer.Save(Path.Combine(folder, WeightsName));
    }

    /// <summary>Synchronous, unlike <see cref="Progress{T}"/>, so a line printed means the checkpoint is on disk.</summary>
    private sealed class EpochEnds(Action<int> epochDone) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Completed is not null)
                epochDone(value.Epoch);
        }
    }
}
