using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using ModelDsl.Layers;
using ModelDsl.Metrics;
using ModelDsl.Training.Weighting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// The training loop behind every generated <c>Trainer</c>: encodes typed samples into columns once,
/// then per epoch shuffles, batches, minimizes the weighted task losses (static, uncertainty, GradNorm
/// or DWA weighting) with the chosen optimizer, evaluates per-task metrics, stops early and writes
/// resumable checkpoints when asked. The generated subclass supplies only the typed sample encoding and the network.
/// </summary>
/// <typeparam name="TSample">The annotated model class: one training sample with features and labels.</typeparam>
public abstract class ModelTrainer<TSample> : IDisposable
{
    private readonly TrainingOptions _options;
    private readonly Device _device;
    private readonly bool _penalized;
    private bool _disposed;

    /// <summary>Creates the network (seeded).</summary>
    /// <param name="schema">The spec.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <param name="createNetwork">Creates the generated network; called once, after seeding.</param>
    protected ModelTrainer(ModelSchema schema, TrainingOptions? options, Func<MultiTaskNetwork> createNetwork)
    {
        ArgumentNullException.ThrowIfNull(createNetwork);
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        _penalized = schema.Regularization is { EmbeddingL2: > 0 } or { DenseL2: > 0 };
        _options = options ?? new TrainingOptions();
        _options.Validate();
        // A misspelt task or a metric its kind lacks fails here, not when the first epoch's metrics are read.
        _options.EarlyStopping?.TaskIndex(schema);
        NativeHeap.Configure();
        if (_options.Threads is { } threads)
            set_num_threads(threads);
        _device = device(_options.Device);
        manual_seed(_options.Seed);
        Network = createNetwork();
        Network.to(_device);
    }

    /// <summary>The spec.</summary>
    public ModelSchema Schema { get; }

    /// <summary>The network being trained.</summary>
    public MultiTaskNetwork Network { get; }

    /// <summary>Writes one sample's inputs, labels and sample weights (which arrive as 1); generated from the spec.</summary>
    protected abstract void Encode(TSample sample, Span<long> categorical, Span<float> numeric, Span<float> labels, Span<float> weights);

    /// <summary>
    /// What the data hold, as the model will see them, before training: per feature, rows, distinct values, the
    /// out-of-vocabulary or missing rate, estimated hash collisions and the share of validation values never seen
    /// in training; constant numeric columns; label balance per task; and warnings (most validation ids unseen).
    /// Reads <paramref name="train"/> once, streaming, and <paramref name="validation"/> once.
    /// </summary>
    /// <exception cref="ModelDataException">A sample holds a value the model cannot take.</exception>
    public DataReport DescribeData(IEnumerable<TSample> train, IEnumerable<TSample>? validation = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(train);
        var validationTable = validation is null ? null : SampleTable.Encode(validation, Schema, Encode, "validation sample", nameof(validation));
        return DataReport.Build(Schema, SampleStream.Chunks(train, Schema, Encode, "training sample", _options.StreamChunkRows ?? 65_536), validationTable);
    }

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs (fewer with early stopping) and reports each
    /// one's losses, task weights and per-task metrics on <paramref name="validation"/> (on the training
    /// data when it is null). Each call starts a fresh optimizer on the current weights.
    /// </summary>
    /// <param name="train">Training samples.</param>
    /// <param name="validation">Validation samples, or null.</param>
    /// <param name="progress">Receives a report after every step and every epoch.</param>
    /// <param name="resumeFrom">A checkpoint written by a run with the same options; training continues after its last epoch exactly as if never stopped.</param>
    /// <param name="lossWeighting">Loss weighting for this run, overriding <see cref="TrainingOptions.LossWeighting"/> and the model's <see cref="LossWeightingAttribute"/>.</param>
    /// <exception cref="ArgumentException">A set is empty; or <see cref="TrainingOptions.EarlyStopping"/> has no validation set, or watches an AUC the validation set cannot define (one class only).</exception>
    /// <exception cref="ModelDataException">A sample holds a value the model cannot take; the message names the sample's 0-based index and the member.</exception>
    /// <exception cref="ModelFileException">The checkpoint is missing, damaged, of an earlier format or from another spec; the weights are then unchanged.</exception>
    /// <exception cref="NotFiniteNumberException">Training diverged: a task's loss (or, with GradNorm, its gradient norm) became NaN or infinite; the message names the task, epoch and step.</exception>
    public TrainingReport Fit(IEnumerable<TSample> train, IEnumerable<TSample>? validation = null,
        IProgress<TrainingProgress>? progress = null, string? resumeFrom = null, LossWeightingSettings? lossWeighting = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(train);
        var batchSize = _options.BatchSize;
        // Streaming chunks hold whole batches, so only a pass's last batch is short.
        var chunkRows = _options.StreamChunkRows is { } chunk ? (chunk + batchSize - 1) / batchSize * batchSize : (int?)null;
        var trainTable = chunkRows is null ? SampleTable.Encode(train, Schema, Encode, "training sample", nameof(train)) : null;
        IEnumerable<SampleTable> Pass() => trainTable is not null ? [trainTable] : SampleStream.Chunks(train, Schema, Encode, "training sample", chunkRows!.Value);
        var validationTable = validation is null ? null : SampleTable.Encode(validation, Schema, Encode, "validation sample", nameof(validation));
        var settings = lossWeighting ?? _options.LossWeighting ?? Schema.LossWeighting;
        using var weighting = LossWeighting.Create(settings, Schema, _options.LearningRate);
        using var optimizer = Optimizers.Create(_options, Network.parameters().Concat(weighting.Parameters));
        var state = resumeFrom is null ? new TrainingState() : TrainingState.Load(resumeFrom, Network, optimizer, weighting, settings.Strategy);
        // Standardize statistics come from the first training data a network sees; later runs and resumed ones keep them.
        foreach (var transforms in Network.modules().OfType<NumericTransforms>().Where(t => t.NeedsStatistics))
            transforms.Fit(Pass().Select(table => table.NumericRows));
        var stopping = _options.EarlyStopping;
        if (stopping is not null && validationTable is null)
            throw new ArgumentException("EarlyStopping watches validation metrics: pass a validation set.", nameof(validation));
        if (stopping is { Metric: Metric.Auc })
            RequireBothClasses(validationTable!, stopping.TaskIndex(Schema));

        // Steps per epoch: known up front in memory, after the first pass when streaming (0 until then).
        var steps = trainTable is null ? 0 : (trainTable.Rows + batchSize - 1) / batchSize;
        using var batch = new BatchTensors(batchSize, Schema, _device);
        using var taskLoss = new TaskLoss(Schema, _device);
        for (var epoch = state.Epochs.Count + 1; epoch <= _options.Epochs && !Stopped(state, stopping); epoch++)
        {
            var rate = _options.Schedule.Rate(_options.LearningRate, epoch, _options.Epochs);
            Optimizers.SetLearningRate(optimizer, rate);
            // Shuffle and dropout depend on the seed and the epoch only, so a resumed run replays them.
            var epochSeed = unchecked(_options.Seed * 1_000_003 + epoch);
            manual_seed(epochSeed);
            Network.train();
            double totalLoss = 0;
            var taskLosses = new double[Schema.Tasks.Count];
            long rows = 0;
            var step = 0;
            var chunkIndex = 0;
            using var noCollection = new NoCollectionRegion();
            foreach (var table in Pass())
            {
                var order = Enumerable.Range(0, table.Rows).ToArray();
                new Random(unchecked(epochSeed + 7_919 * chunkIndex++)).Shuffle(order);
                for (var start = 0; start < table.Rows; start += batchSize)
                {
                    noCollection.BeforeStep();
                    using var scope = NewDisposeScope();
                    var span = order.AsSpan(start, Math.Min(batchSize, table.Rows - start));
                    var (categorical, numeric, labels, weights) = batch.Fill(table, span);
                    var perTask = taskLoss.Compute(Network.forward(categorical, numeric), labels, weights);
                    var current = new MultiTaskStep(Network.SharedWeight, epoch, step + 1);
                    var values = perTask.detach().cpu().data<float>();
                    for (var t = 0; t < taskLosses.Length; t++)
                    {
                        Divergence.Check(values[t], "loss", Schema.Tasks[t], current);
                        taskLosses[t] += values[t] * span.Length;
                    }
                    var loss = weighting.Combine(perTask, current);
                    optimizer.zero_grad();
                    (_penalized ? loss + Network.Penalty(categorical) : loss).backward();
                    if (_options.GradientClipNorm is { } clip)
                        nn.utils.clip_grad_norm_(Network.parameters(), clip);
                    optimizer.step();
                    totalLoss += loss.item<float>() * span.Length;
                    rows += span.Length;
                    progress?.Report(new TrainingProgress(epoch, _options.Epochs, ++step, steps, totalLoss / rows, null));
                }
            }
            if (rows == 0)
                throw SampleTable.Empty("training sample", nameof(train));
            steps = step;
            var epochLosses = taskLosses.Select(l => l / rows).ToArray();
            weighting.EndEpoch(epochLosses);
            var report = new EpochReport(epoch, totalLoss / rows, epochLosses, validationTable is null ? EvaluatePass(Pass()) : Evaluate(validationTable),
                validationTable is null ? "train" : "validation", weighting.Weights.ToArray(), rate);
            state.Epochs.Add(report);
            if (stopping is not null)
                Track(state, stopping, report);
            if (_options.CheckpointPath is { } path && (epoch % _options.CheckpointEvery == 0 || epoch == _options.Epochs || Stopped(state, stopping)))
                state.Save(path, Network, optimizer, weighting, settings.Strategy);
            progress?.Report(new TrainingProgress(epoch, _options.Epochs, steps, steps, report.TrainLoss, report));
        }
        if (state.BestWeights is { } best)
            Network.load(new MemoryStream(best));
        return new TrainingReport(state.Epochs, stopping is null ? state.Epochs.Count : state.BestEpoch) { Data = DataReport.Build(Schema, Pass(), validationTable) };
    }

    private static bool Stopped(TrainingState state, EarlyStopping? stopping) =>
        stopping is not null && state.EpochsSinceBest >= stopping.Patience;

    /// <summary>Keeps the best epoch's value and a copy of its weights.</summary>
    private void Track(TrainingState state, EarlyStopping stopping, EpochReport report)
    {
        var value = stopping.Read(Schema, report);
        if (state.BestValue is { } best && !stopping.Improves(value, best))
        {
            state.EpochsSinceBest++;
            return;
        }
        (state.BestValue, state.BestEpoch, state.EpochsSinceBest) = (value, report.Epoch, 0);
        using var snapshot = new MemoryStream();
        Network.save(snapshot);
        state.BestWeights = snapshot.ToArray();
    }

    /// <summary>
    /// AUC is undefined (NaN) when the labels are all one class, so early stopping on it would never see
    /// an improvement: refuse such a validation set before training rather than stop on noise.
    /// </summary>
    private void RequireBothClasses(SampleTable validation, int task)
    {
        var positives = 0;
        for (var row = 0; row < validation.Rows; row++)
            if (JointLabel(validation.Labels.AsSpan(row * Schema.Tasks.Count, Schema.Tasks.Count), task) > 0.5f)
                positives++;
        if (positives == 0 || positives == validation.Rows)
            throw new ArgumentException(
                $"EarlyStopping watches the AUC of '{Schema.Tasks[task].Name}', which is undefined on this validation set: all {validation.Rows} samples are "
                + $"{(positives == 0 ? "negative" : "positive")}. Pass validation samples of both classes, or watch {nameof(Metric.LogLoss)}.",
                nameof(validation));
    }

    /// <summary>Per-task metrics of the current network on labelled samples.</summary>
    public IReadOnlyList<TaskMetrics> Evaluate(IEnumerable<TSample> samples)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(samples);
        return _options.StreamChunkRows is { } chunkRows
            ? EvaluatePass(SampleStream.Chunks(samples, Schema, Encode, "evaluation sample", chunkRows))
            : Evaluate(SampleTable.Encode(samples, Schema, Encode, "evaluation sample", nameof(samples)));
    }

    /// <summary>Saves the weights, with the spec fingerprint, atomically.</summary>
    public void Save(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Checkpoint.Save(path, Network);
    }

    /// <summary>Loads weights saved by <see cref="Save"/> from a model of the same spec.</summary>
    /// <exception cref="ModelFileException">The file is missing, truncated, damaged, of an earlier format or from another spec; the weights are then unchanged.</exception>
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

    private TaskMetrics[] Evaluate(SampleTable table) => EvaluatePass([table]);

    /// <summary>Metrics over every row of one pass over in-memory or streamed tables.</summary>
    private TaskMetrics[] EvaluatePass(IEnumerable<SampleTable> pass)
    {
        var tasks = Schema.Tasks;
        var outputs = Schema.Outputs;
        var main = tasks.Select((_, t) => IndexOf(outputs, t, OutputKind.Probability, OutputKind.Value)).ToArray();
        var conditional = tasks.Select((_, t) => IndexOf(outputs, t, OutputKind.Conditional)).ToArray();
        var binary = tasks.Select(t => t.Kind == TaskKind.Binary ? new BinaryMetrics() : null).ToArray();
        var conditionalMetrics = tasks.Select(t => t.Given >= 0 ? new BinaryMetrics() : null).ToArray();
        var regression = tasks.Select(t => t.Kind == TaskKind.Regression ? new RegressionMetrics() : null).ToArray();
        using var batch = new BatchTensors(_options.BatchSize, Schema, _device);
        long count = 0;
        foreach (var table in pass)
        {
        count += table.Rows;
        var rows = Enumerable.Range(0, table.Rows).ToArray();
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
        }
        if (count == 0)
            throw SampleTable.Empty("evaluation sample", "samples");
        var n = checked((int)count);
        return tasks.Select((task, t) => task.Kind == TaskKind.Binary
            ? new TaskMetrics(task.Name, task.Kind, n, Auc: binary[t]!.Auc, LogLoss: binary[t]!.LogLoss,
                ConditionalAuc: conditionalMetrics[t]?.Auc)
            : new TaskMetrics(task.Name, task.Kind, n, Rmse: regression[t]!.Rmse, BaselineRmse: regression[t]!.MeanBaselineRmse, Mae: regression[t]!.Mae)).ToArray();
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

    /// <summary>Frees the network.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the network.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        _disposed = true;
        if (disposing)
            Network.Dispose();
    }
}
