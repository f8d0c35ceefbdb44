using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelDsl.Kernels;

/// <summary>
/// Adam's update as one fused loop over CPU float memory. LibTorch's Adam is seven or more separate
/// operations per parameter, each a dispatch and a pass over memory; for the small dense layers of a
/// recommendation model the dispatches dominate, and for embedding rows LibTorch's index kernels cost
/// about a microsecond per row moved. Here one pass reads the gradient once and updates weights and both
/// moments element by element, vectorized across <see cref="Vector{T}"/> lanes.
/// </summary>
internal static class AdamKernel
{
    /// <summary>Updates every element: <paramref name="weights"/>, both moments and the gradient have the same length.</summary>
    public static void Dense(Span<float> weights, ReadOnlySpan<float> gradient, Span<float> mean, Span<float> square, in AdamCoefficients c)
    {
        if (gradient.Length != weights.Length || mean.Length != weights.Length || square.Length != weights.Length)
            throw new ArgumentException("Weights, gradient and moments differ in length.", nameof(gradient));
        Update(weights, gradient, mean, square, c);
    }

    /// <summary>
    /// Lazy Adam over the rows a row-sparse gradient names: each row's gradients are summed first (a row
    /// looked up twice gets one update), then only those rows of the weights and moments move.
    /// </summary>
    /// <param name="weights">The table, rows × <paramref name="dim"/>, row-major.</param>
    /// <param name="mean">Adam's first moments, laid out as the table.</param>
    /// <param name="square">Adam's second moments, laid out as the table.</param>
    /// <param name="dim">Width of a row.</param>
    /// <param name="indices">The row of each gradient entry, repeats allowed.</param>
    /// <param name="values">One row of gradient per entry of <paramref name="indices"/>, packed.</param>
    /// <param name="c">This step's coefficients.</param>
    /// <param name="scratch">Reused between steps: which rows were seen, and their summed gradients.</param>
    public static void Rows(Span<float> weights, Span<float> mean, Span<float> square, int dim,
        ReadOnlySpan<long> indices, ReadOnlySpan<float> values, in AdamCoefficients c, RowScratch scratch)
    {
        if (values.Length != indices.Length * dim)
            throw new ArgumentException("The gradient's values do not match its indices.", nameof(values));
        Rows(weights, mean, square, dim, indices, values, 1, dim, c, scratch);
    }

    /// <summary>
    /// <see cref="Rows(Span{float}, Span{float}, Span{float}, int, ReadOnlySpan{long}, ReadOnlySpan{float}, in AdamCoefficients, RowScratch)"/>
    /// on gradient rows laid out as a batch's columns: entry i = b · <paramref name="perLine"/> + s is the row at
    /// b · <paramref name="lineStride"/> + s · <paramref name="dim"/> of <paramref name="values"/> (the input gradient of a
    /// batch's embedding columns, read in place).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    public static void Rows(Span<float> weights, Span<float> mean, Span<float> square, int dim,
        ReadOnlySpan<long> indices, ReadOnlySpan<float> values, int perLine, int lineStride, in AdamCoefficients c, RowScratch scratch)
    {
        var lines = indices.Length / perLine;
        if (indices.Length % perLine != 0 || lines > 0 && (long)(lines - 1) * lineStride + (long)perLine * dim > values.Length)
            throw new ArgumentException("The gradient's values do not match its indices.", nameof(values));
        var rows = weights.Length / dim;
        var (slots, sums, order) = scratch.Rent(rows, indices.Length, dim);
        var count = 0;
        for (var i = 0; i < indices.Length; i++)
        {
            // The row → slot map is as scattered as the rows: fetch the entry a few lookups ahead.
            if (i + SpanMath.PrefetchDistance < indices.Length && (ulong)indices[i + SpanMath.PrefetchDistance] < (ulong)rows)
                SpanMath.Prefetch<int>(slots, (int)indices[i + SpanMath.PrefetchDistance]);
            var row = indices[i];
            if ((ulong)row >= (ulong)rows)
            {
                scratch.Clear();
                throw new ArgumentOutOfRangeException(nameof(indices), $"Gradient row {row} is outside the table's {rows} rows.");
            }
            var slot = slots[(int)row];
            var value = values.Slice(i / perLine * lineStride + i % perLine * dim, dim);
            if (slot < 0)
            {
                slots[(int)row] = slot = count;
                order[count++] = (int)row;
                value.CopyTo(sums.AsSpan(slot * dim, dim));
            }
            else
            {
                var sum = sums.AsSpan(slot * dim, dim);
                TensorPrimitives.Add(sum, value, sum);
            }
        }
        for (var s = 0; s < count; s++)
        {
            // Rows are scattered over tables far larger than the cache: ask for the row a few steps ahead
            // now, so its misses overlap this row's arithmetic (with the slot prefetch above, a cold
            // 4,096-lookup step of the reference MMoE takes 0.37 ms instead of 1.0 ms).
            if (s + SpanMath.PrefetchDistance < count)
                Prefetch(weights, mean, square, order[s + SpanMath.PrefetchDistance] * dim);
            var offset = order[s] * dim;
            Update(weights.Slice(offset, dim), sums.AsSpan(s * dim, dim), mean.Slice(offset, dim), square.Slice(offset, dim), c);
            slots[order[s]] = -1;
        }
    }

    private static void Prefetch(Span<float> weights, Span<float> mean, Span<float> square, int offset)
    {
        SpanMath.Prefetch<float>(weights, offset);
        SpanMath.Prefetch<float>(mean, offset);
        SpanMath.Prefetch<float>(square, offset);
    }

    // m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε), with g += λw under weight decay:
    // TorchSharp's Adam formula in float32; equal to LibTorch's operations within rounding (they fuse some
    // multiply-adds and multiply in another order).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    private static void Update(Span<float> weights, ReadOnlySpan<float> gradient, Span<float> mean, Span<float> square, in AdamCoefficients c)
    {
        float beta1 = (float)c.Beta1, oneMinusBeta1 = (float)c.OneMinusBeta1, beta2 = (float)c.Beta2, oneMinusBeta2 = (float)c.OneMinusBeta2,
            correction2 = (float)c.Correction2, eps = (float)c.Eps, minusStepSize = (float)c.MinusStepSize, decay = (float)c.WeightDecay;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = MemoryMarshal.Cast<float, Vector<float>>(weights);
            var g = MemoryMarshal.Cast<float, Vector<float>>(gradient);
            var m = MemoryMarshal.Cast<float, Vector<float>>(mean);
            var v = MemoryMarshal.Cast<float, Vector<float>>(square);
            Vector<float> vBeta1 = new(beta1), vOneMinusBeta1 = new(oneMinusBeta1), vBeta2 = new(beta2), vOneMinusBeta2 = new(oneMinusBeta2),
                vCorrection2 = new(correction2), vEps = new(eps), vMinusStepSize = new(minusStepSize), vDecay = new(decay);
            for (var k = 0; k < w.Length; k++)
            {
                var grad = decay != 0 ? g[k] + w[k] * vDecay : g[k];
                var mk = m[k] = m[k] * vBeta1 + grad * vOneMinusBeta1;
                var vk = v[k] = v[k] * vBeta2 + grad * grad * vOneMinusBeta2;
                w[k] += vMinusStepSize * mk / (Vector.SquareRoot(vk) / vCorrection2 + vEps);
            }
            i = w.Length * Vector<float>.Count;
        }
        for (; i < weights.Length; i++)
        {
            var grad = decay != 0 ? gradient[i] + weights[i] * decay : gradient[i];
            var mk = mean[i] = mean[i] * beta1 + grad * oneMinusBeta1;
            var vk = square[i] = square[i] * beta2 + grad * grad * oneMinusBeta2;
            weights[i] += minusStepSize * mk / (MathF.Sqrt(vk) / correction2 + eps);
        }
    }

    /// <summary>Per table, reused between steps: row → slot of its summed gradient (−1 when not seen this step), the sums, the rows in slot order.</summary>
    internal sealed class RowScratch
    {
        private int[] _slots = [];
        private float[] _sums = [];
        private int[] _order = [];

        public (int[] Slots, float[] Sums, int[] Order) Rent(int rows, int entries, int dim)
        {
            if (_slots.Length != rows)
            {
                _slots = new int[rows];
                Array.Fill(_slots, -1);
            }
            if (_sums.Length < entries * dim)
                _sums = new float[entries * dim];
            if (_order.Length < entries)
                _order = new int[entries];
            return (_slots, _sums, _order);
        }

        /// <summary>Forgets the rows seen (after a step that stopped half way).</summary>
        public void Clear() => Array.Fill(_slots, -1);
    }
}

/// <summary>One Adam step's coefficients, for a given step count (double: the LibTorch path keeps them for any dtype; the kernel rounds to float).</summary>
internal readonly record struct AdamCoefficients(double Beta1, double OneMinusBeta1, double Beta2, double OneMinusBeta2, double Correction2, double Eps, double MinusStepSize, double WeightDecay)
{
    public static AdamCoefficients For(double learningRate, double beta1, double beta2, double eps, double weightDecay, long step) => new(
        beta1, 1 - beta1, beta2, 1 - beta2, Math.Sqrt(1 - Math.Pow(beta2, step)), eps, -learningRate / (1 - Math.Pow(beta1, step)), weightDecay);
}
