using System;
using System.Collections.Generic;

namespace ModelDsl.Hosting;

/// <summary>How a <see cref="PredictorPool{TFeatures, TPrediction}"/> finds, reloads and batches its model.</summary>
/// <typeparam name="TFeatures">The generated <c>Features</c> record.</typeparam>
public sealed class PredictorOptions<TFeatures>
    where TFeatures : struct
{
    /// <summary>The exported <c>.onnx</c> file; relative paths are taken from the current directory.</summary>
    public string? Path { get; set; }

    /// <summary>Reload the model when its file changes (default true). Replace the file atomically: write a new file in the same folder, then rename it over the old one.</summary>
    public bool WatchFile { get; set; } = true;

    /// <summary>How long the file must stay unchanged after a change before it is reloaded (default 500 ms), so a burst of events loads once.</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Candidates a new model must answer with finite values before it serves (default: one <c>default(TFeatures)</c>,
    /// every id 0 and number 0). A model with string features needs candidates here, as a null string is refused.
    /// </summary>
    public IReadOnlyList<TFeatures>? ProbeCandidates { get; set; }

    /// <summary>Coalescing of concurrent small requests into one ONNX Runtime run; off by default.</summary>
    public MicroBatchingOptions MicroBatching { get; } = new();

    /// <summary>Throws when a setting cannot work, naming it.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
            throw new ArgumentException($"{nameof(PredictorOptions<TFeatures>)}.{nameof(Path)} is not set: give the exported .onnx file.", nameof(Path));
        if (ReloadDebounce < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ReloadDebounce), ReloadDebounce, "The reload debounce cannot be negative.");
        if (ProbeCandidates is { Count: 0 })
            throw new ArgumentException("ProbeCandidates is empty; leave it null to probe with default(TFeatures).", nameof(ProbeCandidates));
        MicroBatching.Validate();
    }
}

/// <summary>
/// Micro-batching: requests of at most <see cref="MaxRequestCandidates"/> candidates that arrive within
/// <see cref="MaxWait"/> of each other run as one ONNX Runtime call of up to <see cref="MaxBatchSize"/> candidates.
/// </summary>
public sealed class MicroBatchingOptions
{
    /// <summary>Whether small requests are coalesced (default false).</summary>
    public bool Enabled { get; set; }

    /// <summary>The longest a request waits for others before its batch runs (default 200 µs); a batch that fills up runs at once.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMicroseconds(200);

    /// <summary>Candidates per ONNX Runtime run (default 64).</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Requests with more candidates than this run on their own (default 8): they are already batches.</summary>
    public int MaxRequestCandidates { get; set; } = 8;

    internal void Validate()
    {
        if (MaxWait < TimeSpan.Zero || MaxWait > TimeSpan.FromSeconds(1))
            throw new ArgumentOutOfRangeException(nameof(MaxWait), MaxWait, "The micro-batching wait must lie between 0 and 1 s.");
        if (MaxBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "A micro-batch needs room for at least 1 candidate.");
        if (MaxRequestCandidates < 1 || MaxRequestCandidates > MaxBatchSize)
            throw new ArgumentOutOfRangeException(nameof(MaxRequestCandidates), MaxRequestCandidates, $"Must lie between 1 and MaxBatchSize ({MaxBatchSize}).");
    }
}
