using System.Collections.Generic;

namespace ModelDsl.Training;

/// <summary>
/// The samples of one <c>Fit</c> as the trainer consumes them: the training set encoded once, or streamed in
/// chunks of whole batches on every pass (<see cref="TrainingOptions.StreamChunkRows"/>), and the validation set
/// encoded once.
/// </summary>
internal sealed class TrainingData
{
    private readonly SampleTable? _train;
    private readonly IEnumerable<SampleTable> _stream;

    private TrainingData(SampleTable? train, IEnumerable<SampleTable> stream, SampleTable? validation, int batchSize)
    {
        (_train, _stream, Validation) = (train, stream, validation);
        // Known up front in memory, after the first pass when streaming (0 until then).
        StepsPerEpoch = train is null ? 0 : (train.Rows + batchSize - 1) / batchSize;
    }

    /// <summary>The validation table, or null when metrics are computed on the training set.</summary>
    public SampleTable? Validation { get; }

    public int StepsPerEpoch { get; }

    /// <summary>Where epoch metrics are computed, as <see cref="EpochReport.MetricsOn"/> names it.</summary>
    public string MetricsOn => Validation is null ? "train" : "validation";

    /// <exception cref="ModelDataException">A sample holds a value the model cannot take (training samples are checked as they stream).</exception>
    /// <exception cref="System.ArgumentException">The validation set is empty (an empty training set is found by its first pass).</exception>
    public static TrainingData Create<TSample>(IEnumerable<TSample> train, IEnumerable<TSample>? validation, ModelSchema schema, SampleEncoder<TSample> encode, TrainingOptions options)
    {
        var batchSize = options.BatchSize;
        // Streaming chunks hold whole batches, so only a pass's last batch is short.
        var chunkRows = options.StreamChunkRows is { } chunk ? (chunk + batchSize - 1) / batchSize * batchSize : (int?)null;
        var table = chunkRows is null ? SampleTable.Encode(train, schema, encode, "training sample", nameof(train)) : null;
        var stream = chunkRows is { } rows ? SampleStream.Chunks(train, schema, encode, "training sample", rows) : [];
        var validationTable = validation is null ? null : SampleTable.Encode(validation, schema, encode, "validation sample", nameof(validation));
        return new TrainingData(table, stream, validationTable, batchSize);
    }

    /// <summary>One pass over the training set: the table, or the chunks of a fresh enumeration of the samples.</summary>
    public IEnumerable<SampleTable> Pass() => _train is not null ? [_train] : _stream;

    /// <summary>What epoch metrics are computed on: the validation table, or a pass over the training set.</summary>
    public IEnumerable<SampleTable> MetricsPass() => Validation is not null ? [Validation] : Pass();
}
