using System;

namespace ModelDsl.Training;

/// <summary>How a generated <c>Trainer</c> trains.</summary>
public sealed record TrainingOptions
{
    /// <summary>Samples per optimizer step. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Passes over the training data. Default 5.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Adam learning rate. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Seed of weight initialization, shuffling and dropout. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Intra-op threads of TorchSharp; null keeps its default.</summary>
    public int? Threads { get; init; }

    /// <summary>TorchSharp device, e.g. <c>cpu</c> or <c>cuda:0</c>. Default <c>cpu</c>.</summary>
    public string Device { get; init; } = "cpu";

    internal void Validate()
    {
        if (BatchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be positive.");
        if (Epochs <= 0)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be positive.");
        if (!(LearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        if (Threads is <= 0)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be positive when set.");
    }
}
