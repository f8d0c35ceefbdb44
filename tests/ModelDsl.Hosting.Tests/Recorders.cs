using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using Microsoft.Extensions.Logging;

namespace ModelDsl.Hosting.Tests;

/// <summary>Every measurement of the ModelDsl.Hosting meter created by one meter factory (so parallel tests do not mix).</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(Instrument Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MetricRecorder(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PredictorTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => _measurements.Enqueue((i, v, t.ToArray())));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => _measurements.Enqueue((i, v, t.ToArray())));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => _measurements.Enqueue((i, v, t.ToArray())));
        _listener.Start();
    }

    /// <summary>The values recorded to <paramref name="name"/> whose tags include <paramref name="tag"/> (any when null).</summary>
    public double[] Values(string name, (string Key, string Value)? tag = null) =>
        _measurements.Where(m => m.Instrument.Name == name
                && (tag is not { } t || m.Tags.Any(k => k.Key == t.Key && Equals(k.Value, t.Value))))
            .Select(m => m.Value).ToArray();

    public Instrument Instrument(string name) => _measurements.First(m => m.Instrument.Name == name).Instrument;

    public IEnumerable<KeyValuePair<string, object?>[]> Tags(string name) => _measurements.Where(m => m.Instrument.Name == name).Select(m => m.Tags);

    public void Dispose() => _listener.Dispose();
}

/// <summary>Keeps every log entry's event id, level and message.</summary>
public sealed class LogRecorder : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<(EventId Id, LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(EventId Id, LogLevel Level, string Message)> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((eventId, logLevel, formatter(state, exception)));

    public void Dispose()
    {
    }
}
