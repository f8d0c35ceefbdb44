using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using ModelDsl.Layers;
using ModelDsl.Metrics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// The training loop behind every generated <c>Trainer</c>: encodes typed samples into columns once,
/// then per epoch shuffles, batches, minimizes the weighted sum of task losses with Adam and reports
/// per-task metrics. The generated subclass supplies only the typed sample encoding and the network.
/// </summary>
/// <typeparam name="TSample">The annotated model class: one training sample with features and labels.</typeparam>
public abstract class ModelTrainer<TSample> : IDisposable
{
    private readonly TrainingOptions _options;
    private readonly Device _device;
    private readonly Adam _optimizer;
    private readonly Random _shuffle;
    private readonly float[] _lossWeights;
    private bool _disposed;

    /// <summary>Creates the network (seeded) and its optimizer.</summary>
    /// <param name="schema">The spec.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <param name="createNetwork">Creates the generated network; called once, after seeding.</param>
    protected ModelTrainer(ModelSchema schema, TrainingOptions? options, Func<MultiTaskNetwork> createNetwork)
    {
        ArgumentNullException.ThrowIfNull(createNetwork);
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        _options = options ?? new TrainingOptions();
        _options.Validate();
        if (_options.Threads is { } threads)
            set_num_threads(threads);
        _device = device(_options.Device);
        manual_seed(_options.Seed);
        _shuffle = new Random(_options.Seed);
        Network = createNetwork();
        Network.to(_device);
        _optimizer = optim.Adam(Network.parameters(), _options.LearningRate);
        _lossWeights = schema.Tasks.Select(t => (float)t.LossWeight).ToArray();
    }

    /// <summary>The spec.</summary>
    public ModelSchema Schema { get; }

    /// <summary>The network being trained.</summary>
    public MultiTaskNetwork Network { get; }

    /// <summary>Writes one sample's inputs, labels and sample weights (which arrive as 1); generated from the spec.</summary>
    protected abstract void Encode(TSample sample, Span<long> categorical, Span<float> numeric, Span<float> labels, Span<float> weights);

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs and reports each one's losses and per-task
    /// metrics on <paramref name="validation"/> (on the training data when it is null).
    /// </summary>
    /// <exception cref="ModelDataException">A sample holds a value the model cannot take; the message names the sample and member.</exception>
    public TrainingReport Fit(IEnumerable<TSample> train, IEnumerable<TSample>? validation = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var trainTable = SampleTable.Encode(train, Schema, Encode, "training sample");
        var validationTable = validation is null ? null : SampleTable.Encode(validation, Schema, Encode, "validation sample");
        var order = Enumerable.Range(0, trainTable.Rows).ToArray();
        using var batch = new BatchTensors(_options.BatchSize, trainTable, _device);
        var epochs = new List<EpochReport>(_options.Epochs);
        for (var epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            _shuffle.Shuffle(order);
            Network.train();
            double totalLoss = 0;
            var taskLosses = new double[Schema.Tasks.Count];
            for (var start = 0; start < order.Length; start += _options.BatchSize)
            {
                using var scope = NewDisposeScope();
                var rows = order.AsSpan(start, Math.Min(_options.BatchSize, order.Length - start));
                var (categorical, numeric, labels, weights) = batch.Fill(trainTable, rows);
                var (loss, perTask) = Loss(Network.forward(categorical, numeric), labels, weights);
                _optimizer.zero_grad();
                (loss + Network.Penalty()).backward();
                _optimizer.step();
                totalLoss += loss.item<float>() * rows.Length;
                var values = perTask.cpu().data<float>();
                for (var t = 0; t < taskLosses.Length; t++)
                    taskLosses[t] += values[t] * rows.Length;
            }
            var metrics = Evaluate(validationTable ?? trainTable);
            epochs.Add(new EpochReport(epoch, totalLoss / order.Length,
                taskLosses.Select(l => l / order.Length).ToArray(), metrics, validationTable is null ? "train" : "validation"));
        }
        return new TrainingReport(epochs);
    }

    /// <summary>Per-task metrics of the current network on labelled samples.</summary>
    public IReadOnlyList<TaskMetrics> Evaluate(IEnumerable<TSample> samples)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Evaluate(SampleTable.Encode(samples, Schema, Encode, "evaluation sample"));
    }

    /// <summary>Saves the weights, with the spec fingerprint, atomically.</summary>
    public void Save(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Checkpoint.Save(path, Network);
    }

    /// <summary>Loads weights saved by <see cref="Save"/> from a model of the same spec.</summary>
    /// <exception cref="ModelFileException">The file is missing, truncated, or from another spec.</exception>
    public void Load(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Checkpoint.Load(path, Network);
    }

    /// <summary>Exports the network as an ONNX model for the generated <c>Predictor</c>, written atomically.</summary>
    public void ExportOnnx(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Network.ExportOnnx(path);
    }

    /// <summary>
    /// Each task's loss, averaged over the batch, and their weighted sum. A Given task is trained on
    /// every sample through its joint probability against the joint label (ESMM); sample weights scale
    /// each sample's term.
    /// </summary>
    private (Tensor Total, Tensor PerTask) Loss(Tensor outputs, Tensor labels, Tensor weights)
    {
        var tasks = Schema.Tasks;
        var jointLabels = TaskOutputs.Joint(Schema, t => labels.select(1, t), (a, b) => a * b);
        var jointLogProbability = TaskOutputs.Joint(Schema, t => nn.functional.logsigmoid(outputs.select(1, t)), (a, b) => a + b);
        var perTask = new Tensor[tasks.Count];
        for (var t = 0; t < perTask.Length; t++)
        {
            var output = outputs.select(1, t);
            var label = jointLabels[t] ?? labels.select(1, t);
            var weight = tasks[t].Weighting switch
            {
                SampleWeighting.All => weights.select(1, t),
                SampleWeighting.PositivesOnly => label * weights.select(1, t) + (1 - label),
                _ => null,
            };
            perTask[t] = tasks[t] switch
            {
                { Kind: TaskKind.Regression } => weight is null
                    ? nn.functional.mse_loss(output, label)
                    : (weight * (output - label).square()).mean(),
                { Given: < 0 } => nn.functional.binary_cross_entropy_with_logits(output, label, weight),
                _ => nn.functional.binary_cross_entropy(jointLogProbability[t]!.exp().clamp(ProbabilityFloor, 1 - ProbabilityFloor), label, weight),
            };
        }
        var stacked = stack(perTask);
        var total = (stacked * tensor(_lossWeights, device: _device)).sum();
        return (total, stacked.detach());
    }

    // Keeps the joint probability's log finite in the ESMM loss.
    private const double ProbabilityFloor = 1e-7;

    private TaskMetrics[] Evaluate(SampleTable table)
    {
        var tasks = Schema.Tasks;
        var outputs = Schema.Outputs;
        var main = tasks.Select((_, t) => IndexOf(outputs, t, OutputKind.Probability, OutputKind.Value)).ToArray();
        var conditional = tasks.Select((_, t) => IndexOf(outputs, t, OutputKind.Conditional)).ToArray();
        var binary = tasks.Select(t => t.Kind == TaskKind.Binary ? new BinaryMetrics() : null).ToArray();
        var conditionalMetrics = tasks.Select(t => t.Given >= 0 ? new BinaryMetrics() : null).ToArray();
        var regression = tasks.Select(t => t.Kind == TaskKind.Regression ? new RegressionMetrics() : null).ToArray();
        var rows = Enumerable.Range(0, table.Rows).ToArray();
        using var batch = new BatchTensors(_options.BatchSize, table, _device);
        for (var start = 0; start < rows.Length; start += _options.BatchSize)
        {
            using var scope = NewDisposeScope();
            var span = rows.AsSpan(start, Math.Min(_options.BatchSize, rows.Length - start));
            var (categorical, numeric, _, _) = batch.Fill(table, span);
            var predicted = Network.Predict(categorical, numeric).cpu().contiguous();
            var values = MemoryMarshal.Cast<byte, float>(predicted.bytes);
            for (var i = 0; i < span.Length; i++)
            {
                var row = values.Slice(i * outputs.Count, outputs.Count);
                var labels = table.Labels.AsSpan(span[i] * tasks.Count, tasks.Count);
                for (var t = 0; t < tasks.Count; t++)
                {
                    var given = tasks[t].Given;
                    binary[t]?.Add(row[main[t]], JointLabel(labels, t));
                    regression[t]?.Add(row[main[t]], labels[t]);
                    if (given >= 0 && JointLabel(labels, given) > 0.5f)
                        conditionalMetrics[t]!.Add(row[conditional[t]], labels[t]);
                }
            }
        }
        return tasks.Select((task, t) => task.Kind == TaskKind.Binary
            ? new TaskMetrics(task.Name, task.Kind, table.Rows, Auc: binary[t]!.Auc, LogLoss: binary[t]!.LogLoss,
                ConditionalAuc: conditionalMetrics[t]?.Auc)
            : new TaskMetrics(task.Name, task.Kind, table.Rows, Rmse: regression[t]!.Rmse, BaselineRmse: regression[t]!.MeanBaselineRmse)).ToArray();
    }

    /// <summary>A binary task's label times the labels along its Given chain: did the joint event happen.</summary>
    private float JointLabel(ReadOnlySpan<float> labels, int task)
    {
        var label = labels[task];
        for (var t = Schema.Tasks[task].Given; t >= 0; t = Schema.Tasks[t].Given)
            label *= labels[t];
        return label;
    }

    private static int IndexOf(IReadOnlyList<OutputInfo> outputs, int task, params OutputKind[] kinds)
    {
        for (var o = 0; o < outputs.Count; o++)
            if (outputs[o].Task == task && kinds.Contains(outputs[o].Kind))
                return o;
        return -1;
    }

    /// <summary>Frees the network and optimizer.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the network and optimizer.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        _disposed = true;
        if (disposing)
        {
            _optimizer.Dispose();
            Network.Dispose();
        }
    }
}
