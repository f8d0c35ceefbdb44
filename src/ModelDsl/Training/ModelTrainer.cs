using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using ModelDsl.Layers;
using ModelDsl.Metrics;
using ModelDsl.Training.Weighting;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// The training loop behind every generated <c>Trainer</c>: encodes typed samples into columns once,
/// then per epoch shuffles, batches, minimizes the weighted task losses (static, uncertainty, GradNorm
/// or DWA weighting) with the chosen optimizer, evaluates per-task metrics, stops early and writes
/// resumable checkpoints when asked. The generated subclass supplies only the typed sample encoding and the network.
/// </summary>
/// <remarks>
/// <para>
/// A trainer runs one operation at a time. <see cref="Fit"/>, <see cref="Evaluate"/>, <c>Predict</c>, <see cref="Save"/>,
/// <see cref="Load"/> and <see cref="ExportOnnx"/> called while another of them runs on the same trainer (from
/// another thread, or from <c>Fit</c>'s progress callback) throw <see cref="InvalidOperationException"/>; any
/// thread may call them one after another. <see cref="Dispose()"/> during an operation stops it before its next
/// step and waits for it to return (from <c>Fit</c>'s own progress callback it cannot wait: the network is then
/// freed as <c>Fit</c> returns); the stopped <c>Fit</c> throws <see cref="ObjectDisposedException"/>.
/// <see cref="Network"/> itself is not guarded: do not use it while an operation runs.
/// </para>
/// <para>
/// Separate trainers may train in parallel, and each replays exactly what it does alone: each draws its
/// dropout from its own generator, and initialization from the seeded global generator under a process-wide
/// lock (code that draws from TorchSharp's global generator while a trainer is being constructed can change
/// that trainer's initial weights).
/// </para>
/// </remarks>
/// <typeparam name="TSample">The annotated model class: one training sample with features and labels.</typeparam>
public abstract class ModelTrainer<TSample> : IDisposable
{
    // LibTorch's initializers draw from its one global generator: seeding and drawing must not interleave across trainers.
    private static readonly object s_seededInitialization = new();

    private readonly TrainingOptions _options;
    private readonly Device _device;
    private readonly Generator _generator;
    private readonly long _multiplyAddsPerStep;
    private readonly TrainerGate _gate;

    /// <summary>Creates the network (seeded).</summary>
    /// <param name="schema">The spec.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <param name="createNetwork">Creates the generated network; called once, after seeding.</param>
    protected ModelTrainer(ModelSchema schema, TrainingOptions? options, Func<MultiTaskNetwork> createNetwork)
    {
        ArgumentNullException.ThrowIfNull(createNetwork);
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        _options = options ?? new TrainingOptions();
        _options.Validate();
        // A misspelt task or a metric its kind lacks fails here, not when the first epoch's metrics are read.
        _options.EarlyStopping?.TaskIndex(schema);
        NativeHeap.Configure();
        _device = device(_options.Device);
        lock (s_seededInitialization)
        {
            manual_seed(_options.Seed);
            Network = createNetwork();
        }
        if (_options.BatchSize < 2 && Network.modules().OfType<ExpertNormalization>().Any())
        {
            Network.Dispose();
            throw new ArgumentOutOfRangeException(nameof(options), _options.BatchSize,
                $"BatchSize is {_options.BatchSize}, but {schema.Name} normalizes its experts (ExpertNormalization), which needs the statistics of batches of at least 2 samples: use a BatchSize of 2 or more.");
        }
        Network.to(_device);
        _generator = new Generator((ulong)_options.Seed, _device);
        _multiplyAddsPerStep = TrainingThreads.MultiplyAddsPerStep(Network, _options.BatchSize);
        _gate = new TrainerGate(this, FreeNetwork);
    }

    /// <summary>The spec.</summary>
    public ModelSchema Schema { get; }

    /// <summary>The network being trained.</summary>
    public MultiTaskNetwork Network { get; }

    /// <summary>Writes one sample's inputs, labels and sample weights (which arrive as 1); generated from the spec.</summary>
    protected abstract void Encode(TSample sample, Span<long> categorical, Span<float> numeric, Span<float> labels, Span<float> weights);

    /// <summary>The generated encoder, for <see cref="Distributed.Shards"/>: shards hold exactly what this trainer trains on.</summary>
    internal SampleEncoder<TSample> Encoder => Encode;

    /// <summary>Counts one sample's values of the learned vocabularies; generated for specs that have one.</summary>
    protected virtual void Count(TSample sample, VocabularyCounts counts)
    {
    }

    /// <summary>
    /// Learns the network's learned vocabularies from one pass over <paramref name="train"/> unless they are learned
    /// (or <paramref name="resumeFrom"/>'s checkpoint holds them): the first pass of <c>Fit</c>, <c>DescribeData</c> and training shards.
    /// </summary>
    internal void LearnVocabularies(IEnumerable<TSample> train, string argument, string? resumeFrom = null)
    {
        var vocabularies = Network.Vocabularies;
        if (resumeFrom is not null && vocabularies.Any)
            vocabularies.Set(TrainingState.Vocabularies(resumeFrom, Network));
        else if (!vocabularies.IsLearned)
            vocabularies.Learn(train, Count, argument);
    }

    /// <summary>
    /// What the data hold, as the model will see them, before training: per feature, rows, distinct values, the
    /// out-of-vocabulary or missing rate, estimated hash collisions and the share of validation values never seen
    /// in training; constant numeric columns; label balance per task; and warnings (most validation ids unseen).
    /// Reads the data as <c>Fit</c> does (<paramref name="train"/> streamed with <see cref="TrainingOptions.StreamChunkRows"/>), once.
    /// </summary>
    /// <exception cref="ModelDataException">A sample holds a value the model cannot take.</exception>
    public DataReport DescribeData(IEnumerable<TSample> train, IEnumerable<TSample>? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        using var operation = _gate.Enter(nameof(DescribeData), default);
        LearnVocabularies(train, nameof(train));
        var data = TrainingData.Create(train, validation, Schema, Encode, _options);
        return DataReport.Build(Schema, data.Pass(), data.Validation, Network.Vocabularies);
    }

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs (fewer with early stopping) and reports each
    /// one's losses, task weights and per-task metrics on <paramref name="validation"/> (on the training
    /// data when it is null). Each call starts a fresh optimizer on the current weights.
    /// </summary>
    /// <param name="train">Training samples.</param>
    /// <param name="validation">Validation samples, or null.</param>
    /// <param name="progress">Receives a report after every step and every epoch, on the thread that called <c>Fit</c>.</param>
    /// <param name="resumeFrom">A checkpoint written by a run with the same options; training continues after its last epoch exactly as if never stopped.</param>
    /// <param name="cancellationToken">
    /// Stops the run before its next step. The trainer stays usable and holds the weights of the last step taken;
    /// checkpoints already written are intact (they are written whole, between epochs), so a run resumed from the
    /// last one continues exactly as if never stopped.
    /// </param>
    /// <exception cref="ArgumentException">A set is empty; or <see cref="TrainingOptions.EarlyStopping"/> has no validation set, or watches an AUC the validation set cannot define (one class only).</exception>
    /// <exception cref="ModelDataException">A sample holds a value the model cannot take; the message names the sample's 0-based index and the member.</exception>
    /// <exception cref="ModelFileException">The checkpoint is missing, damaged, of an earlier format or from another spec; the weights are then unchanged.</exception>
    /// <exception cref="NotFiniteNumberException">Training diverged: a task's loss (or, with GradNorm, its gradient norm) became NaN or infinite; the message names the task, epoch and step.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">Another operation is running on this trainer.</exception>
    /// <exception cref="ObjectDisposedException">The trainer is disposed, or was disposed during the run.</exception>
    public TrainingReport Fit(IEnumerable<TSample> train, IEnumerable<TSample>? validation = null,
        IProgress<TrainingProgress>? progress = null, string? resumeFrom = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        using var operation = _gate.Enter(nameof(Fit), cancellationToken);
        using var threads = TrainingThreads.Use(_options.Threads, _multiplyAddsPerStep);
        LearnVocabularies(train, nameof(train), resumeFrom);
        var data = TrainingData.Create(train, validation, Schema, Encode, _options);
        var stopping = _options.EarlyStopping;
        if (stopping is not null && data.Validation is null)
            throw new ArgumentException("EarlyStopping watches validation metrics: pass a validation set.", nameof(validation));
        if (stopping is { Metric: Metric.Auc })
            Evaluation.RequireBothClasses(Schema, data.Validation!, stopping.TaskIndex(Schema), nameof(validation));

        var settings = _options.LossWeighting ?? Schema.LossWeighting;
        using var weighting = LossWeighting.Create(settings, Schema, _options.LearningRate);
        using var optimizer = Optimizers.Create(_options, Network.parameters().Concat(weighting.Parameters));
        var checkpoints = new Checkpointing(_options, Network, optimizer, weighting, settings.Strategy);
        var state = checkpoints.Resume(resumeFrom);
        // Standardize statistics come from the first training data a network sees; later runs and resumed ones keep them.
        foreach (var transforms in Network.modules().OfType<NumericTransforms>().Where(t => t.NeedsStatistics))
            transforms.Fit(data.Pass().Select(table => table.NumericRows));

        using var runner = new EpochRunner(Network, _options, _device, _generator, weighting, optimizer);
        var evaluation = new Evaluation(Network, _options.BatchSize, _device);
        var gates = _options.AnalyzeGates ? GateAnalysis.For(Network) : null;
        var steps = data.StepsPerEpoch;
        for (var epoch = state.Epochs.Count + 1; epoch <= _options.Epochs && stopping?.Stopped(state) != true; epoch++)
        {
            var rate = _options.Schedule.Rate(_options.LearningRate, epoch, _options.Epochs);
            Optimizers.SetLearningRate(optimizer, rate);
            var losses = runner.Run(epoch, data.Pass(), steps, progress, operation);
            steps = losses.Steps;
            weighting.EndEpoch(losses.Tasks);
            var metrics = evaluation.Run(data.MetricsPass(), gates);
            var report = new EpochReport(epoch, losses.Total, losses.Tasks, metrics, data.MetricsOn, weighting.Weights.ToArray(), rate) { Gates = gates?.Take() ?? [] };
            state.Epochs.Add(report);
            stopping?.Track(state, report, Network);
            checkpoints.AfterEpoch(state, epoch, stopping?.Stopped(state) == true);
            progress?.Report(new TrainingProgress(epoch, _options.Epochs, steps, steps, report.TrainLoss, report));
        }
        if (state.BestWeights is { } best)
            Network.load(new MemoryStream(best));
        return new TrainingReport(state.Epochs, stopping is null ? state.Epochs.Count : state.BestEpoch) { Data = DataReport.Build(Schema, data.Pass(), data.Validation, Network.Vocabularies) };
    }

    /// <summary>Per-task metrics of the current network on labelled samples.</summary>
    /// <exception cref="InvalidOperationException">Another operation is running on this trainer.</exception>
    public IReadOnlyList<TaskMetrics> Evaluate(IEnumerable<TSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        using var operation = _gate.Enter(nameof(Evaluate));
        using var threads = TrainingThreads.Use(_options.Threads, _multiplyAddsPerStep);
        var evaluation = new Evaluation(Network, _options.BatchSize, _device);
        return _options.StreamChunkRows is { } chunkRows
            ? evaluation.Run(SampleStream.Chunks(samples, Schema, Encode, "evaluation sample", chunkRows))
            : evaluation.Run([SampleTable.Encode(samples, Schema, Encode, "evaluation sample", nameof(samples))]);
    }

    /// <summary>
    /// What the TorchSharp network serves for each candidate: the outputs the exported model gives (probabilities,
    /// values, conditionals, odds), in evaluation mode without gradients, <see cref="TrainingOptions.BatchSize"/>
    /// candidates per batch. The generated <c>Trainer.Predict</c> binds it to the model's <c>Features</c> and
    /// <c>Prediction</c>, so the ONNX <c>Predictor</c> can be compared with the network it was exported from.
    /// </summary>
    /// <param name="candidates">The candidates, in order.</param>
    /// <param name="encode">The generated encoder of one candidate's inputs, the one the <c>Predictor</c> runs.</param>
    /// <param name="decode">Builds one prediction from its row of outputs, in <see cref="ModelSchema.Outputs"/> order.</param>
    /// <exception cref="ModelDataException">A candidate holds a value the model cannot take; the message names its 0-based index and the member.</exception>
    /// <exception cref="InvalidOperationException">Another operation is running on this trainer.</exception>
    protected TPrediction[] Predict<TFeatures, TPrediction>(IEnumerable<TFeatures> candidates, FeatureEncoder<TFeatures> encode, OutputDecoder<TPrediction> decode)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(encode);
        ArgumentNullException.ThrowIfNull(decode);
        using var operation = _gate.Enter(nameof(Predict));
        using var threads = TrainingThreads.Use(_options.Threads, _multiplyAddsPerStep);
        var (width, numericWidth, outputs, batch) = (Schema.CategoricalCount, Schema.NumericCount, Schema.ServedColumns, _options.BatchSize);
        var categorical = new long[batch * width];
        var numeric = new float[batch * numericWidth];
        var predictions = new List<TPrediction>();
        var rows = 0;
        foreach (var candidate in candidates)
        {
            try
            {
                encode(candidate, categorical.AsSpan(rows * width, width), numeric.AsSpan(rows * numericWidth, numericWidth));
            }
            catch (ModelDataException e)
            {
                throw e.At($"candidate at index {predictions.Count + rows}");
            }
            if (++rows == batch)
                Run();
        }
        if (rows > 0)
            Run();
        return [.. predictions];

        void Run()
        {
            using var scope = NewDisposeScope();
            // The last batch may be short: its inputs are the filled prefix.
            var ids = rows == batch ? categorical : categorical[..(rows * width)];
            var numbers = rows == batch ? numeric : numeric[..(rows * numericWidth)];
            var served = Network.Predict(tensor(ids, [rows, width]).to(_device), tensor(numbers, [rows, numericWidth]).to(_device)).cpu().contiguous();
            var values = MemoryMarshal.Cast<byte, float>(served.bytes);
            for (var i = 0; i < rows; i++)
                predictions.Add(decode(values.Slice(i * outputs, outputs)));
            rows = 0;
        }
    }

    /// <summary>Saves the weights, with the spec fingerprint, atomically.</summary>
    /// <exception cref="InvalidOperationException">Another operation is running on this trainer.</exception>
    public void Save(string path)
    {
        using var operation = _gate.Enter(nameof(Save));
        Checkpoint.Save(path, Network);
    }

    /// <summary>Loads weights saved by <see cref="Save"/> from a model of the same spec.</summary>
    /// <exception cref="ModelFileException">The file is missing, truncated, damaged, of an earlier format or from another spec; the weights are then unchanged.</exception>
    /// <exception cref="InvalidOperationException">Another operation is running on this trainer.</exception>
    public void Load(string path)
    {
        using var operation = _gate.Enter(nameof(Load));
        Checkpoint.Load(path, Network);
    }

    /// <summary>Exports the network as an ONNX model for the generated <c>Predictor</c>, written atomically.</summary>
    /// <exception cref="InvalidOperationException">Another operation is running on this trainer.</exception>
    public void ExportOnnx(string path)
    {
        using var operation = _gate.Enter(nameof(ExportOnnx));
        Network.ExportOnnx(path);
    }

    /// <summary>Frees the network; during an operation, stops it and waits for it first (see the remarks on <see cref="ModelTrainer{TSample}"/>).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the network; during an operation, stops it and waits for it first.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _gate.Dispose())
            FreeNetwork();
    }

    private void FreeNetwork()
    {
        Network.Dispose();
        _generator.Dispose();
    }
}
