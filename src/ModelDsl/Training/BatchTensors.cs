using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelDsl.Kernels;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// One batch's input and label tensors, allocated once and refilled in place: rows are copied from
/// the <see cref="SampleTable"/> straight into tensor memory, with no per-batch allocation.
/// </summary>
internal sealed class BatchTensors : IDisposable
{
    private readonly Tensor _categorical;
    private readonly Tensor _numeric;
    private readonly Tensor _labels;
    private readonly Tensor _weights;
    private readonly Device _device;

    public BatchTensors(int batchSize, ModelSchema schema, Device device)
    {
        _categorical = zeros(batchSize, schema.CategoricalCount, ScalarType.Int64);
        _numeric = zeros(batchSize, schema.NumericCount, ScalarType.Float32);
        _labels = zeros(batchSize, schema.Tasks.Count, ScalarType.Float32);
        _weights = zeros(batchSize, schema.Tasks.Count, ScalarType.Float32);
        _device = device;
    }

    /// <summary>Fills the batch with the given rows and returns views of exactly that many rows, on the device.</summary>
    public (Tensor Categorical, Tensor Numeric, Tensor Labels, Tensor Weights) Fill(SampleTable table, ReadOnlySpan<int> rows)
    {
        Gather(table.Categorical, table.CategoricalWidth, rows, _categorical);
        Gather(table.Numeric, table.NumericWidth, rows, _numeric);
        Gather(table.Labels, table.TaskCount, rows, _labels);
        Gather(table.Weights, table.TaskCount, rows, _weights);
        return (View(_categorical, rows.Length), View(_numeric, rows.Length), View(_labels, rows.Length), View(_weights, rows.Length));
    }

    private Tensor View(Tensor full, int rows)
    {
        var view = rows == full.shape[0] ? full.alias() : full.narrow(0, 0, rows);
        return view.to(_device);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    private static void Gather<T>(T[] source, int width, ReadOnlySpan<int> rows, Tensor tensor)
        where T : unmanaged
    {
        if (width == 0)
            return;
        var target = MemoryMarshal.Cast<byte, T>(tensor.bytes);
        for (var i = 0; i < rows.Length; i++)
        {
            // Shuffled rows of a table larger than the cache: fetch a row a few iterations ahead so its miss
            // overlaps these copies.
            if (i + SpanMath.PrefetchDistance < rows.Length)
                SpanMath.Prefetch<T>(source, rows[i + SpanMath.PrefetchDistance] * width);
            source.AsSpan(rows[i] * width, width).CopyTo(target.Slice(i * width, width));
        }
    }

    public void Dispose()
    {
        _categorical.Dispose();
        _numeric.Dispose();
        _labels.Dispose();
        _weights.Dispose();
    }
}
