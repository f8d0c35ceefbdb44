using ModelDsl.Layers;
using ModelDsl.Training.Weighting;
using TorchSharp.Modules;

namespace ModelDsl.Training;

/// <summary>Where a run resumes from and when it writes its resumable state (<see cref="TrainingState"/>).</summary>
internal sealed class Checkpointing(TrainingOptions options, MultiTaskNetwork network, OptimizerHelper optimizer, LossWeighting weighting, LossWeightingStrategy strategy)
{
    /// <summary>A fresh run's state, or the state of the checkpoint at <paramref name="path"/> loaded into the network, optimizer and weighting.</summary>
    /// <exception cref="ModelFileException">The checkpoint is missing, damaged, of an earlier format or from another spec; the weights are then unchanged.</exception>
    public TrainingState Resume(string? path) =>
        path is null ? new TrainingState() : TrainingState.Load(path, network, optimizer, weighting, strategy);

    /// <summary>Writes a checkpoint (atomically) every <see cref="TrainingOptions.CheckpointEvery"/> epochs, after the last and when early stopping ends the run.</summary>
    public void AfterEpoch(TrainingState state, int epoch, bool stopped)
    {
        if (options.CheckpointPath is { } path && (epoch % options.CheckpointEvery == 0 || epoch == options.Epochs || stopped))
            state.Save(path, network, optimizer, weighting, strategy);
    }
}
