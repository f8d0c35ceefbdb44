using System;

namespace ModelDsl.Training;

/// <summary>How a generated <c>Trainer</c> trains.</summary>
public sealed record TrainingOptions
{
    /// <summary>Samples per optimizer step. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Passes over the training data. Default 5.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Initial learning rate. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Optimizer. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Decoupled weight decay (AdamW) or L2 (others). Default 0; AdamW's customary 0.01 must be asked for.</summary>
    public double WeightDecay { get; init; }

    /// <summary>SGD momentum. Default 0.</summary>
    public double Momentum { get; init; }

    /// <summary>Learning-rate schedule over epochs. Default constant.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Clip the global gradient norm to this value; null (the default) does not clip.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Loss weighting for this run; null (the default) uses the model's <see cref="LossWeightingAttribute"/> or static weights.</summary>
    public LossWeightingSettings? LossWeighting { get; init; }

    /// <summary>Stop when a validation metric stops improving and restore the best weights; null (the default) trains all epochs.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>Write a resumable checkpoint here (atomically) every <see cref="CheckpointEvery"/> epochs; null (the default) writes none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Epochs between checkpoints. Default 1.</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>Seed of weight initialization, shuffling and dropout (drawn from the trainer's own generator). Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// LibTorch's intra-op threads during <c>Fit</c> and <c>Evaluate</c>, on the calling thread (its previous count is
    /// restored after). Null (the default): the count the application gave LibTorch (<c>torch.set_num_threads</c>,
    /// <c>OMP_NUM_THREADS</c>), else one thread per 16 M multiply-adds of a step's dense layers, at least 1 and at most
    /// <see cref="Environment.ProcessorCount"/> (which counts a container's CPU quota): small models train on one thread.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>TorchSharp device, e.g. <c>cpu</c> or <c>cuda:0</c>. Default <c>cpu</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Streams the training samples instead of holding them: each epoch enumerates them again (a
    /// <c>ReadCsv</c> or <c>ReadParquet</c> source re-reads its file), a background thread encodes
    /// chunks of this many rows (rounded up to whole batches) while the trainer consumes the previous
    /// one, and rows are shuffled within each chunk. Memory stays at a few chunks whatever the data
    /// size. Null (the default) encodes the whole set once and shuffles all of it every epoch.
    /// Validation samples are always held in memory.
    /// </summary>
    public int? StreamChunkRows { get; init; }

    /// <summary>
    /// Each epoch's evaluation also averages every gate's expert weights into <see cref="EpochReport.Gates"/>
    /// (MMoE, OMoE and PLE; it changes no weight). Default true.
    /// </summary>
    public bool AnalyzeGates { get; init; } = true;

    internal void Validate()
    {
        Positive(BatchSize, nameof(BatchSize));
        Positive(Epochs, nameof(Epochs));
        Positive(CheckpointEvery, nameof(CheckpointEvery));
        if (!(LearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        if (!(WeightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "WeightDecay must be zero or positive.");
        if (!(Momentum >= 0 && Momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be in [0, 1).");
        if (GradientClipNorm is { } clip && !(clip > 0))
            throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), clip, "GradientClipNorm must be positive when set.");
        if (StreamChunkRows is <= 0)
            throw new ArgumentOutOfRangeException(nameof(StreamChunkRows), StreamChunkRows, "StreamChunkRows must be positive when set.");
        if (Threads is <= 0)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be positive when set.");
        if (EarlyStopping is { Patience: < 1 })
            throw new ArgumentOutOfRangeException(nameof(EarlyStopping), EarlyStopping.Patience, "EarlyStopping.Patience must be at least 1.");
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }
}

/// <summary>Optimizers.</summary>
public enum OptimizerKind
{
    /// <summary>Adam.</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay.</summary>
    AdamW,

    /// <summary>Adagrad.</summary>
    Adagrad,

    /// <summary>Stochastic gradient descent, optionally with momentum.</summary>
    Sgd,
}
