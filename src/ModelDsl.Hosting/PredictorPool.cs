using System;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelDsl.Serving;

namespace ModelDsl.Hosting;

/// <summary>
/// Hands every call the model serving now, and swaps in a new model when its file changes. Register it with
/// <see cref="PredictorServiceCollectionExtensions.AddPredictor"/> and inject it; one instance serves all calls.
/// </summary>
/// <remarks>
/// A reload loads the new file, checks its spec fingerprint (the predictor does) and that it answers the probe
/// candidates with finite values, then swaps it in. Calls already running finish on the old model; the predictor
/// counts them and releases its session after the last. A call that reaches the old model just after it was retired
/// runs again on the new one, so every call runs whole on one model. A file that fails to load leaves the old model
/// serving; see <see cref="LastReloadError"/>. Every answer is checked for NaN and infinities
/// (<see cref="NonFiniteOutputException"/>).
/// </remarks>
/// <typeparam name="TFeatures">The generated <c>Features</c> record.</typeparam>
/// <typeparam name="TPrediction">The generated <c>Prediction</c> record.</typeparam>
public sealed class PredictorPool<TFeatures, TPrediction> : IDisposable
    where TFeatures : struct
    where TPrediction : struct
{
    private const int LoadAttempts = 3;

    private readonly Func<string, OnnxPredictor<TFeatures, TPrediction>> _open;
    private readonly TFeatures[] _probe;
    private readonly ILogger _logger;
    private readonly Lock _reloading = new();
    private readonly FileWatch? _watch;
    private readonly MicroBatcher<TFeatures, TPrediction>? _batcher;
    private readonly int _maxBatchedCandidates;
    private Generation _current;
    private ReloadError? _lastReloadError;
    private bool _disposed;

    /// <summary>Loads the model; throws when it cannot serve, so a bad file stops the host at start.</summary>
    /// <param name="open">Opens the file: the generated predictor's constructor, e.g. <c>path =&gt; new MyModel.Predictor(path)</c>.</param>
    /// <param name="options">Where the file is, whether to watch it, and micro-batching.</param>
    /// <param name="loggerFactory">Logs loads, reloads and failures; none when null.</param>
    /// <param name="meterFactory">Creates the <see cref="PredictorTelemetry.MeterName"/> meter; a meter of the pool's own when null.</param>
    /// <exception cref="ModelFileException">The file is missing, unreadable, of another spec, or answers the probe with NaN or an infinity.</exception>
    /// <exception cref="System.IO.FileNotFoundException">The file does not exist.</exception>
    public PredictorPool(Func<string, OnnxPredictor<TFeatures, TPrediction>> open, PredictorOptions<TFeatures> options,
        ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _open = open;
        Path = System.IO.Path.GetFullPath(options.Path!);
        _probe = options.ProbeCandidates?.ToArray() ?? [default];
        _logger = loggerFactory?.CreateLogger("ModelDsl.Hosting.PredictorPool") ?? NullLogger.Instance;
        _current = Load();
        var info = _current.Info;
        Metrics = new PredictorMetrics(meterFactory, info.Name);
        Log.ModelLoaded(_logger, info.Name, info.Fingerprint, Path, info.FileSha256);
        try
        {
            if (options.MicroBatching.Enabled)
            {
                _batcher = new(this, options.MicroBatching);
                _maxBatchedCandidates = options.MicroBatching.MaxRequestCandidates;
            }
            if (options.WatchFile)
                _watch = new FileWatch(Path, options.ReloadDebounce, ReloadOnChange, e => Log.WatchFailed(_logger, e, Path));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The full path of the model file.</summary>
    public string Path { get; }

    /// <summary>The model serving now.</summary>
    public ModelInfo Current => Volatile.Read(ref _current).Info;

    /// <summary>Why the last reload failed, or null when it succeeded (or none has run); the previous model kept serving.</summary>
    public ReloadError? LastReloadError => Volatile.Read(ref _lastReloadError);

    internal PredictorMetrics Metrics { get; }

    /// <summary>Tests only: runs between a call's reading of the model and its entering it, where a swap can retire the model.</summary>
    internal Action? AfterModelRead { get; set; }

    /// <summary>Scores one candidate on the calling thread.</summary>
    /// <exception cref="ModelDataException">A feature value the model cannot take.</exception>
    /// <exception cref="NonFiniteOutputException">The model answered NaN or an infinity.</exception>
    public TPrediction Predict(in TFeatures features)
    {
        TPrediction prediction = default;
        Predict(new ReadOnlySpan<TFeatures>(in features), new Span<TPrediction>(ref prediction));
        return prediction;
    }

    /// <summary>Scores a batch of candidates in one ONNX Runtime run on the calling thread.</summary>
    /// <exception cref="ArgumentException"><paramref name="predictions"/> is shorter than <paramref name="features"/>.</exception>
    /// <exception cref="ModelDataException">A feature value the model cannot take; the message names the candidate's index.</exception>
    /// <exception cref="NonFiniteOutputException">The model answered NaN or an infinity.</exception>
    public void Predict(ReadOnlySpan<TFeatures> features, Span<TPrediction> predictions)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            PredictChecked(features, predictions);
        }
        catch (Exception e)
        {
            Metrics.Completed(features.Length, start, e);
            throw;
        }
        Metrics.Completed(features.Length, start, null);
    }

    /// <summary>Scores one candidate; with micro-batching, together with other callers' candidates.</summary>
    /// <exception cref="ModelDataException">A feature value the model cannot take.</exception>
    /// <exception cref="NonFiniteOutputException">The model answered NaN or an infinity.</exception>
    public ValueTask<TPrediction> PredictAsync(TFeatures features)
    {
        if (_batcher is { } batcher)
            return batcher.Enqueue(features, Stopwatch.GetTimestamp());
        try
        {
            return new(Predict(features));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<TPrediction>(e);
        }
    }

    /// <summary>
    /// Scores candidates into <paramref name="predictions"/>; with micro-batching, a request of at most
    /// <see cref="MicroBatchingOptions.MaxRequestCandidates"/> runs together with other callers' candidates.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="predictions"/> is shorter than <paramref name="features"/>.</exception>
    /// <exception cref="ModelDataException">A feature value the model cannot take; the message names the candidate's index.</exception>
    /// <exception cref="NonFiniteOutputException">The model answered NaN or an infinity.</exception>
    public ValueTask PredictAsync(ReadOnlyMemory<TFeatures> features, Memory<TPrediction> predictions)
    {
        if (predictions.Length < features.Length)
            throw new ArgumentException($"predictions has {predictions.Length} elements but features has {features.Length}.", nameof(predictions));
        if (_batcher is { } batcher && features.Length > 0 && features.Length <= _maxBatchedCandidates)
            return batcher.Enqueue(features, predictions, Stopwatch.GetTimestamp());
        try
        {
            Predict(features.Span, predictions.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <summary>Loads the file again and, if it can serve, swaps it in; the watch calls this when the file changes.</summary>
    /// <returns>Whether a new model serves, the file was unchanged, or it was refused (see <see cref="LastReloadError"/>).</returns>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    public ReloadOutcome Reload()
    {
        lock (_reloading)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _current;
            Generation next;
            try
            {
                if (FileStamp.Read(Path).Sha256 == current.Info.FileSha256)
                {
                    Volatile.Write(ref _lastReloadError, null);
                    Log.ReloadUnchanged(_logger, Path, current.Info.FileSha256);
                    Metrics.Reloaded(ReloadOutcome.Unchanged);
                    return ReloadOutcome.Unchanged;
                }
                next = Load();
            }
#pragma warning disable CA1031 // Whatever is wrong with the new file, the old model keeps serving.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Volatile.Write(ref _lastReloadError, new ReloadError(DateTimeOffset.UtcNow, e.Message));
                Log.ReloadFailed(_logger, e, Path, current.Info.FileSha256, e.Message);
                Metrics.Reloaded(ReloadOutcome.Failed);
                return ReloadOutcome.Failed;
            }
            Volatile.Write(ref _current, next);
            Volatile.Write(ref _lastReloadError, null);
            // Calls in flight finish on it; the predictor releases its session after the last one.
            current.Predictor.Dispose();
            Log.ModelReloaded(_logger, next.Info.Name, Path, next.Info.FileSha256, current.Info.FileSha256);
            Metrics.Reloaded(ReloadOutcome.Swapped);
            return ReloadOutcome.Swapped;
        }
    }

    /// <summary>Runs on the model serving now and checks the answers are finite.</summary>
    internal void PredictChecked(ReadOnlySpan<TFeatures> features, Span<TPrediction> predictions)
    {
        var model = Run(features, predictions);
        if (Check(model, predictions[..features.Length]) is { } error)
            throw error;
    }

    /// <summary>Runs on the model serving now; a call that meets a model just retired runs again on its successor.</summary>
    internal Generation Run(ReadOnlySpan<TFeatures> features, Span<TPrediction> predictions)
    {
        for (; ; )
        {
            var model = Volatile.Read(ref _current);
            AfterModelRead?.Invoke();
            try
            {
                model.Predictor.Predict(features, predictions);
                return model;
            }
            catch (ObjectDisposedException) when (!ReferenceEquals(model, Volatile.Read(ref _current)))
            {
            }
        }
    }

    /// <summary>The error for the first NaN or infinity in <paramref name="predictions"/>, logged, or null when all are finite.</summary>
    internal NonFiniteOutputException? Check(Generation model, ReadOnlySpan<TPrediction> predictions)
    {
        if (Outputs<TPrediction>.FirstNonFinite(predictions) is not var (candidate, output, value))
            return null;
        var name = model.Predictor.Schema.Outputs[output].Name;
        Log.NonFiniteOutput(_logger, model.Info.Name, name, value);
        return new NonFiniteOutputException(model.Info.Name, name, candidate, value);
    }

    /// <summary>Opens the file and checks it can serve; the file's hash must be the same before and after, or it was being replaced.</summary>
    private Generation Load()
    {
        for (var attempt = 1; ; attempt++)
        {
            var before = FileStamp.Read(Path);
            var predictor = _open(Path);
            bool replaced;
            try
            {
                replaced = FileStamp.Read(Path) != before;
                if (!replaced)
                {
                    Outputs<TPrediction>.Check(predictor.Schema);
                    Probe(predictor);
                    var schema = predictor.Schema;
                    return new(predictor, new ModelInfo(schema.Name, schema.Fingerprint, Path, before.Modified, before.Sha256, DateTimeOffset.UtcNow));
                }
            }
            catch
            {
                predictor.Dispose();
                throw;
            }
            predictor.Dispose();
            if (attempt == LoadAttempts)
                throw new ModelFileException(
                    $"'{Path}' changed while it was loaded, {LoadAttempts} times: replace it atomically (write a new file in the same folder, then rename it over this one).");
        }
    }

    /// <summary>Runs the probe candidates; a model that answers them with NaN or an infinity does not serve.</summary>
    private void Probe(OnnxPredictor<TFeatures, TPrediction> predictor)
    {
        var predictions = new TPrediction[_probe.Length];
        try
        {
            predictor.Predict(_probe, predictions);
        }
        catch (ModelDataException e)
        {
            throw new InvalidOperationException(
                $"The probe candidates cannot be scored: {e.Message} Set {nameof(PredictorOptions<TFeatures>.ProbeCandidates)} to candidates the model takes.", e);
        }
        if (Outputs<TPrediction>.FirstNonFinite(predictions) is var (candidate, output, value))
            throw new ModelFileException(
                $"'{Path}' answers {value} for output '{predictor.Schema.Outputs[output].Name}' of probe candidate {candidate}: its weights are damaged or its training diverged.");
    }

    private void ReloadOnChange()
    {
        try
        {
            Reload();
        }
        catch (ObjectDisposedException)
        {
            // The pool was disposed while the change waited out its debounce.
        }
    }

    /// <summary>Stops the watch and micro-batching (queued requests are answered first) and retires the model.</summary>
    public void Dispose()
    {
        lock (_reloading)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _watch?.Dispose();
        _batcher?.Dispose();
        _current.Predictor.Dispose();
        Metrics.Dispose();
    }

    /// <summary>A loaded model and what is known about its file.</summary>
    internal sealed record Generation(OnnxPredictor<TFeatures, TPrediction> Predictor, ModelInfo Info);
}
