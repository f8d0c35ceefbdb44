using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ModelDsl.Hosting;

/// <summary>One pool's instruments (see <see cref="PredictorTelemetry"/>); recording allocates nothing.</summary>
internal sealed class PredictorMetrics : IDisposable
{
    // From 5 µs (one candidate) to 1 s; OpenTelemetry's default buckets start at 5 (seconds here).
    private static readonly double[] DurationBuckets = [5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1];
    private static readonly int[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

    private readonly Meter? _ownMeter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _candidates;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _reloads;
    private readonly Histogram<int> _batchSize;
    private readonly KeyValuePair<string, object?> _model;

    /// <summary>Instruments on the factory's meter (the host's, so tests and exporters see only their own), or on a meter of the pool's own.</summary>
    public PredictorMetrics(IMeterFactory? factory, string model)
    {
        var meter = factory?.Create(PredictorTelemetry.MeterName) ?? (_ownMeter = new Meter(PredictorTelemetry.MeterName));
        _model = new(PredictorTelemetry.ModelAttribute, model);
        _requests = meter.CreateCounter<long>(PredictorTelemetry.Requests, "{request}", "Prediction requests, failed ones included.");
        _candidates = meter.CreateCounter<long>(PredictorTelemetry.Candidates, "{candidate}", "Candidates in prediction requests.");
        _duration = meter.CreateHistogram(PredictorTelemetry.Duration, "s", "Duration of prediction requests.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _errors = meter.CreateCounter<long>(PredictorTelemetry.Errors, "{error}", "Failed prediction requests, by error.type.");
        _reloads = meter.CreateCounter<long>(PredictorTelemetry.Reloads, "{reload}", "Model reloads, by outcome.");
        _batchSize = meter.CreateHistogram(PredictorTelemetry.BatchSize, "{candidate}", "Candidates per ONNX Runtime run made by micro-batching.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });
    }

    /// <summary>A request of <paramref name="candidates"/> that started at <paramref name="start"/> (a <see cref="Stopwatch"/> timestamp) ended, with <paramref name="error"/> if it failed.</summary>
    public void Completed(int candidates, long start, Exception? error)
    {
        _duration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, _model);
        _requests.Add(1, _model);
        _candidates.Add(candidates, _model);
        if (error is not null)
            _errors.Add(1, _model, new(PredictorTelemetry.ErrorTypeAttribute, ErrorType(error)));
    }

    public void Reloaded(ReloadOutcome outcome) =>
        _reloads.Add(1, _model, new(PredictorTelemetry.ReloadOutcomeAttribute, outcome switch
        {
            ReloadOutcome.Swapped => "swapped",
            ReloadOutcome.Unchanged => "unchanged",
            _ => "failed",
        }));

    public void Batched(int candidates) => _batchSize.Record(candidates, _model);

    private static string ErrorType(Exception error) => error switch
    {
        ModelDataException => PredictorTelemetry.InvalidInput,
        NonFiniteOutputException => PredictorTelemetry.NonFiniteOutput,
        _ => error.GetType().FullName ?? error.GetType().Name,
    };

    public void Dispose() => _ownMeter?.Dispose();
}
