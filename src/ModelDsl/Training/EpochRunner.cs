using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Layers;
using ModelDsl.Training.Weighting;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// One epoch of optimizer steps: shuffles each table, batches it, minimizes the weighted task losses (plus the
/// L2 penalty), checks each task's loss for divergence and reports progress after every step. The caller's
/// stop signal is checked before each step.
/// </summary>
internal sealed class EpochRunner : IDisposable
{
    private readonly MultiTaskNetwork _network;
    private readonly TrainingOptions _options;
    private readonly Generator _generator;
    private readonly LossWeighting _weighting;
    private readonly OptimizerHelper _optimizer;
    private readonly bool _penalized;
    private readonly BatchTensors _batch;
    private readonly TaskLoss _taskLoss;
    private readonly FusedTrainingStep? _fusedStep;

    public EpochRunner(MultiTaskNetwork network, TrainingOptions options, Device device, Generator generator, LossWeighting weighting, OptimizerHelper optimizer)
    {
        (_network, _options, _generator, _weighting, _optimizer) = (network, options, generator, weighting, optimizer);
        _penalized = network.Schema.Regularization is { EmbeddingL2: > 0 } or { DenseL2: > 0 };
        _batch = new BatchTensors(options.BatchSize, network.Schema, device);
        _taskLoss = new TaskLoss(network.Schema, device);
        _fusedStep = FusedTrainingStep.For(network, options, weighting, optimizer, _penalized);
    }

    /// <summary>Trains one epoch over <paramref name="pass"/>.</summary>
    /// <param name="epoch">1-based epoch.</param>
    /// <param name="pass">The epoch's training tables.</param>
    /// <param name="steps">Steps per epoch for progress reports; 0 when not yet known.</param>
    /// <param name="progress">Receives a report after every step.</param>
    /// <param name="operation">The running <c>Fit</c>, checked for a stop before each step.</param>
    /// <exception cref="ArgumentException">The pass holds no sample.</exception>
    public EpochLosses Run(int epoch, IEnumerable<SampleTable> pass, int steps, IProgress<TrainingProgress>? progress, TrainerGate.Operation operation)
    {
        var tasks = _network.Schema.Tasks;
        var batchSize = _options.BatchSize;
        // Shuffle and dropout depend on the seed and the epoch only, so a resumed run replays them.
        var epochSeed = unchecked(_options.Seed * 1_000_003 + epoch);
        _generator.manual_seed(epochSeed);
        using var dropout = SeededDropout.Use(_generator);
        _network.train();
        double totalLoss = 0;
        var taskLosses = new double[tasks.Count];
        long rows = 0;
        var step = 0;
        var chunkIndex = 0;
        using var noCollection = new NoCollectionRegion();
        foreach (var table in pass)
        {
            var order = Enumerable.Range(0, table.Rows).ToArray();
            new Random(unchecked(epochSeed + 7_919 * chunkIndex++)).Shuffle(order);
            for (var start = 0; start < table.Rows; start += batchSize)
            {
                operation.ThrowIfStopped();
                noCollection.BeforeStep();
                using var scope = NewDisposeScope();
                var span = order.AsSpan(start, Math.Min(batchSize, table.Rows - start));
                var (categorical, numeric, labels, weights) = _batch.Fill(table, span);
                var fused = _fusedStep?.Forward(categorical, numeric, labels, weights);
                var perTask = fused is null ? _taskLoss.Compute(_network.forward(categorical, numeric), labels, weights) : null;
                var current = new MultiTaskStep(_network.SharedWeight, epoch, step + 1);
                var values = fused ?? perTask!.detach().cpu().data<float>().ToArray();
                for (var t = 0; t < taskLosses.Length; t++)
                {
                    Divergence.Check(values[t], "loss", tasks[t], current);
                    taskLosses[t] += values[t] * span.Length;
                }
                totalLoss += (fused is null ? Step(perTask!, current, categorical) : _fusedStep!.Update()) * span.Length;
                rows += span.Length;
                progress?.Report(new TrainingProgress(epoch, _options.Epochs, ++step, steps, totalLoss / rows, null));
            }
        }
        if (rows == 0)
            throw SampleTable.Empty("training sample", "train");
        return new EpochLosses(totalLoss / rows, taskLosses.Select(l => l / rows).ToArray(), step);
    }

    /// <summary>One step through autograd: the weighted loss's backward and the optimizer's step; returns the weighted loss.</summary>
    private float Step(Tensor perTask, MultiTaskStep current, Tensor categorical)
    {
        var loss = _weighting.Combine(perTask, current);
        _optimizer.zero_grad();
        (_penalized ? loss + _network.Penalty(categorical) : loss).backward();
        if (_options.GradientClipNorm is { } clip)
            GradientClipping.Clip(_network.parameters(), clip);
        _optimizer.step();
        return loss.item<float>();
    }

    public void Dispose()
    {
        _batch.Dispose();
        _taskLoss.Dispose();
        _fusedStep?.Dispose();
    }
}

/// <summary>What an epoch's steps minimized.</summary>
/// <param name="Total">Mean weighted total loss (without the L2 penalty).</param>
/// <param name="Tasks">Mean loss of each task, unweighted, in task order.</param>
/// <param name="Steps">Steps taken.</param>
internal sealed record EpochLosses(double Total, double[] Tasks, int Steps);
