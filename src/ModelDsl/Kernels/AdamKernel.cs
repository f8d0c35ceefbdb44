using System;
using System.Numerics;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    public static void Dense(Span<float> weights, ReadOnlySpan<float> gradient, Span<float> mean, Span<float> square, in AdamCoefficients c)
    {
        if (gradient.Length != weights.Length || mean.Length != weights.Length || square.Length != weights.Length)
            throw new ArgumentException("Weights, gradient and moments differ in length.", nameof(gradient));
        var step = new Step(c);
        Update(ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(gradient), ref MemoryMarshal.GetReference(mean),
            ref MemoryMarshal.GetReference(square), weights.Length, step);
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
            ref var value = ref MemoryMarshal.GetReference(values.Slice(i / perLine * lineStride + i % perLine * dim, dim));
            if (slot < 0)
            {
                slots[(int)row] = slot = count;
                order[count++] = (int)row;
                Add(ref sums[slot * dim], ref value, dim, copy: true);
            }
            else
            {
                Add(ref sums[slot * dim], ref value, dim, copy: false);
            }
        }
        // Rows are below the table's row count (checked above), so the loop below addresses them unchecked.
        var step = new Step(c);
        ref float w = ref MemoryMarshal.GetReference(weights), m = ref MemoryMarshal.GetReference(mean), v = ref MemoryMarshal.GetReference(square);
        for (var s = 0; s < count; s++)
        {
            // Rows are scattered over tables far larger than the cache: ask for the row a few steps ahead
            // now, so its misses overlap this row's arithmetic (with the slot prefetch above, a cold
            // 4,096-lookup step of the reference MMoE takes 0.37 ms instead of 1.0 ms).
            if (s + SpanMath.PrefetchDistance < count)
                Prefetch(weights, mean, square, order[s + SpanMath.PrefetchDistance] * dim);
            var offset = (nint)order[s] * dim;
            Update(ref Unsafe.Add(ref w, offset), ref sums[s * dim], ref Unsafe.Add(ref m, offset), ref Unsafe.Add(ref v, offset), dim, step);
            slots[order[s]] = -1;
        }
    }

    /// <summary>sum[..length] = value[..length] (<paramref name="copy"/>) or += it: a row of a few vectors, inline.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(ref float sum, ref float value, int length, bool copy)
    {
        var i = 0;
        for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var x = Vector.LoadUnsafe(ref value, (nuint)i);
            (copy ? x : x + Vector.LoadUnsafe(ref sum, (nuint)i)).StoreUnsafe(ref sum, (nuint)i);
        }
        for (; i < length; i++)
            Unsafe.Add(ref sum, i) = copy ? Unsafe.Add(ref value, i) : Unsafe.Add(ref sum, i) + Unsafe.Add(ref value, i);
    }

    private static void Prefetch(Span<float> weights, Span<float> mean, Span<float> square, int offset)
    {
        SpanMath.Prefetch<float>(weights, offset);
        SpanMath.Prefetch<float>(mean, offset);
        SpanMath.Prefetch<float>(square, offset);
    }

    // m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε), with g += λw under weight decay:
    // TorchSharp's Adam formula in float32; equal to LibTorch's operations within rounding (they fuse some
    // multiply-adds and multiply in another order). Inlined: a table's rows call it once each.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(ref float weights, ref float gradient, ref float mean, ref float square, int length, in Step k)
    {
        // Locals, so the loop keeps the coefficients in registers.
        var (decay, vDecay, vBeta1, vOneMinusBeta1, vBeta2, vOneMinusBeta2) = (k.Decay, k.VDecay, k.VBeta1, k.VOneMinusBeta1, k.VBeta2, k.VOneMinusBeta2);
        var (vMinusStepSize, vCorrection2, vEps) = (k.VMinusStepSize, k.VCorrection2, k.VEps);
        var i = 0;
        for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var w = Vector.LoadUnsafe(ref weights, (nuint)i);
            var g = Vector.LoadUnsafe(ref gradient, (nuint)i);
            var grad = decay != 0 ? g + w * vDecay : g;
            var m = Vector.LoadUnsafe(ref mean, (nuint)i) * vBeta1 + grad * vOneMinusBeta1;
            var v = Vector.LoadUnsafe(ref square, (nuint)i) * vBeta2 + grad * grad * vOneMinusBeta2;
            m.StoreUnsafe(ref mean, (nuint)i);
            v.StoreUnsafe(ref square, (nuint)i);
            (w + vMinusStepSize * m / (Vector.SquareRoot(v) / vCorrection2 + vEps)).StoreUnsafe(ref weights, (nuint)i);
        }
        for (; i < length; i++)
        {
            ref var w = ref Unsafe.Add(ref weights, i);
            var grad = k.Decay != 0 ? Unsafe.Add(ref gradient, i) + w * k.Decay : Unsafe.Add(ref gradient, i);
            var m = Unsafe.Add(ref mean, i) = Unsafe.Add(ref mean, i) * k.Beta1 + grad * k.OneMinusBeta1;
            var v = Unsafe.Add(ref square, i) = Unsafe.Add(ref square, i) * k.Beta2 + grad * grad * k.OneMinusBeta2;
            w += k.MinusStepSize * m / (MathF.Sqrt(v) / k.Correction2 + k.Eps);
        }
    }

    /// <summary>One step's coefficients in float, and broadcast across a vector, made once per update rather than per row.</summary>
    private readonly struct Step(in AdamCoefficients c)
    {
        public readonly float Beta1 = (float)c.Beta1, OneMinusBeta1 = (float)c.OneMinusBeta1, Beta2 = (float)c.Beta2, OneMinusBeta2 = (float)c.OneMinusBeta2,
            Correction2 = (float)c.Correction2, Eps = (float)c.Eps, MinusStepSize = (float)c.MinusStepSize, Decay = (float)c.WeightDecay;
        public readonly Vector<float> VBeta1 = new((float)c.Beta1), VOneMinusBeta1 = new((float)c.OneMinusBeta1), VBeta2 = new((float)c.Beta2),
            VOneMinusBeta2 = new((float)c.OneMinusBeta2), VCorrection2 = new((float)c.Correction2), VEps = new((float)c.Eps),
            VMinusStepSize = new((float)c.MinusStepSize), VDecay = new((float)c.WeightDecay);
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
