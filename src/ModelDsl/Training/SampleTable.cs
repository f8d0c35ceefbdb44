using System;
using System.Collections.Generic;

namespace ModelDsl.Training;

/// <summary>
/// Writes one sample's model inputs, labels and sample weights into its row of the columnar arrays;
/// <paramref name="weights"/> (one per task) arrive as 1.
/// </summary>
public delegate void SampleEncoder<TSample>(TSample sample, Span<long> categorical, Span<float> numeric, Span<float> labels, Span<float> weights);

/// <summary>
/// Samples encoded once into row-major columnar arrays (ids, numbers, labels), so every epoch
/// shuffles and batches by copying rows, never touching the typed samples or making per-sample tensors.
/// </summary>
internal sealed class SampleTable
{
    private SampleTable(int rows, int categorical, int numeric, int tasks, long[] ids, float[] numbers, float[] labels, float[] weights)
    {
        (Rows, CategoricalWidth, NumericWidth, TaskCount) = (rows, categorical, numeric, tasks);
        (Categorical, Numeric, Labels, Weights) = (ids, numbers, labels, weights);
    }

    public int Rows { get; }
    public int CategoricalWidth { get; }
    public int NumericWidth { get; }
    public int TaskCount { get; }
    public long[] Categorical { get; }
    public float[] Numeric { get; }
    public float[] Labels { get; }
    public float[] Weights { get; }

    /// <summary>Encodes every sample; a bad value fails with its sample index and member named.</summary>
    /// <param name="samples">The samples.</param>
    /// <param name="schema">The spec.</param>
    /// <param name="encode">The generated encoder.</param>
    /// <param name="dataName">What the samples are, for messages (e.g. <c>training sample</c>).</param>
    public static SampleTable Encode<TSample>(IEnumerable<TSample> samples, ModelSchema schema, SampleEncoder<TSample> encode, string dataName)
    {
        ArgumentNullException.ThrowIfNull(samples);
        int c = schema.CategoricalCount, n = schema.NumericCount, t = schema.Tasks.Count;
        var capacity = samples is ICollection<TSample> known ? Math.Max(known.Count, 1) : 1024;
        var ids = new long[capacity * c];
        var numbers = new float[capacity * n];
        var labels = new float[capacity * t];
        var weights = new float[capacity * t];
        var rows = 0;
        foreach (var sample in samples)
        {
            if (rows == capacity)
            {
                capacity *= 2;
                Array.Resize(ref ids, capacity * c);
                Array.Resize(ref numbers, capacity * n);
                Array.Resize(ref labels, capacity * t);
                Array.Resize(ref weights, capacity * t);
            }
            try
            {
                var rowWeights = weights.AsSpan(rows * t, t);
                rowWeights.Fill(1);
                encode(sample, ids.AsSpan(rows * c, c), numbers.AsSpan(rows * n, n), labels.AsSpan(rows * t, t), rowWeights);
            }
            catch (ModelDataException e)
            {
                throw e.At($"{dataName} {rows}");
            }
            rows++;
        }
        if (rows == 0)
            throw new ArgumentException($"The {dataName}s are empty: there is nothing to train or evaluate on.", nameof(samples));
        return new SampleTable(rows, c, n, t, ids, numbers, labels, weights);
    }
}
