using System;
using System.Collections.Generic;

namespace ModelDsl.Training;

/// <summary>
/// Writes one sample's model inputs, labels and sample weights into its row of the columnar arrays;
/// <paramref name="weights"/> (one per task) arrive as 1.
/// </summary>
public delegate void SampleEncoder<TSample>(TSample sample, Span<long> categorical, Span<float> numeric, Span<float> labels, Span<float> weights);

/// <summary>
/// Samples encoded into row-major columnar arrays (ids, numbers, labels), so every epoch shuffles and
/// batches by copying rows, never touching the typed samples or making per-sample tensors. A table
/// holds a whole data set, or one chunk of a stream and is then refilled in place.
/// </summary>
internal sealed class SampleTable
{
    private long[] _categorical;
    private float[] _numeric;
    private float[] _labels;
    private float[] _weights;

    public SampleTable(ModelSchema schema, int capacity)
    {
        (CategoricalWidth, NumericWidth, TaskCount) = (schema.CategoricalCount, schema.NumericCount, schema.Tasks.Count);
        capacity = Math.Max(capacity, 1);
        _categorical = new long[capacity * CategoricalWidth];
        _numeric = new float[capacity * NumericWidth];
        _labels = new float[capacity * TaskCount];
        _weights = new float[capacity * TaskCount];
        Capacity = capacity;
    }

    public int Rows { get; private set; }
    public int Capacity { get; private set; }
    public int CategoricalWidth { get; }
    public int NumericWidth { get; }
    public int TaskCount { get; }
    public long[] Categorical => _categorical;
    public float[] Numeric => _numeric;
    public float[] Labels => _labels;
    public float[] Weights => _weights;

    /// <summary>The numeric columns of the filled rows.</summary>
    public ReadOnlyMemory<float> NumericRows => _numeric.AsMemory(0, Rows * NumericWidth);

    public void Clear() => Rows = 0;

    /// <summary>Encodes a sample into the next row, doubling the capacity when full; a bad value fails with its 0-based sample index and member named.</summary>
    public void Add<TSample>(TSample sample, SampleEncoder<TSample> encode, string dataName, long index)
    {
        if (Rows == Capacity)
            Grow();
        int c = CategoricalWidth, n = NumericWidth, t = TaskCount, row = Rows;
        try
        {
            var rowWeights = _weights.AsSpan(row * t, t);
            rowWeights.Fill(1);
            encode(sample, _categorical.AsSpan(row * c, c), _numeric.AsSpan(row * n, n), _labels.AsSpan(row * t, t), rowWeights);
        }
        catch (ModelDataException e)
        {
            throw e.At($"{dataName} at index {index}");
        }
        Rows++;
    }

    /// <summary>Encodes every sample into one table.</summary>
    /// <param name="samples">The samples.</param>
    /// <param name="schema">The spec.</param>
    /// <param name="encode">The generated encoder.</param>
    /// <param name="dataName">What the samples are, for messages (e.g. <c>training sample</c>).</param>
    /// <param name="argument">The caller's parameter that held the samples, named when they are empty.</param>
    public static SampleTable Encode<TSample>(IEnumerable<TSample> samples, ModelSchema schema, SampleEncoder<TSample> encode, string dataName, string argument)
    {
        ArgumentNullException.ThrowIfNull(samples, argument);
        var table = new SampleTable(schema, samples is ICollection<TSample> known ? known.Count : 1024);
        foreach (var sample in samples)
            table.Add(sample, encode, dataName, table.Rows);
        return table.Rows > 0 ? table : throw Empty(dataName, argument);
    }

    /// <summary>The error for a data set without rows, naming the argument that held it.</summary>
    public static ArgumentException Empty(string dataName, string argument) =>
        new($"The {dataName}s are empty: there is nothing to train or evaluate on.", argument);

    private void Grow()
    {
        Capacity *= 2;
        Array.Resize(ref _categorical, Capacity * CategoricalWidth);
        Array.Resize(ref _numeric, Capacity * NumericWidth);
        Array.Resize(ref _labels, Capacity * TaskCount);
        Array.Resize(ref _weights, Capacity * TaskCount);
    }
}
