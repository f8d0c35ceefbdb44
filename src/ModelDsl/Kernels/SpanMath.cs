using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ModelDsl.Kernels;

/// <summary>
/// What the CPU kernels share: cache prefetch and the vector loops over short rows (bias and ReLU with their gradients,
/// multiply-adds, dot products, softmax with its gradient).
/// </summary>
internal static class SpanMath
{
    /// <summary>How many iterations ahead a loop over scattered rows asks for the next row.</summary>
    public const int PrefetchDistance = 8;

    /// <summary>Asks the CPU to bring <paramref name="values"/>[<paramref name="index"/>] into cache; never faults, does nothing off x86.</summary>
    public static unsafe void Prefetch<T>(ReadOnlySpan<T> values, int index) where T : unmanaged
    {
        if (Sse.IsSupported)
            Sse.Prefetch0(Unsafe.AsPointer(ref MemoryMarshal.GetReference(values.Slice(index))));
    }

    // Loops over short rows (an expert's or a unit layer's few dozen values) called thousands of times a step: written
    // out rather than through TensorPrimitives, whose per-call cost on such rows was most of the fused kernels' time.

    /// <summary>target = relu(values + bias), element by element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // short rows in hot loops: a call costs as much as the row
    public static void AddBiasRelu(Span<float> target, ReadOnlySpan<float> values, ReadOnlySpan<float> bias)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<float, Vector<float>>(target);
            var v = MemoryMarshal.Cast<float, Vector<float>>(values);
            var b = MemoryMarshal.Cast<float, Vector<float>>(bias);
            for (var k = 0; k < t.Length; k++)
                t[k] = Vector.Max(v[k] + b[k], Vector<float>.Zero);
            i = t.Length * Vector<float>.Count;
        }
        for (; i < target.Length; i++)
            target[i] = MathF.Max(values[i] + bias[i], 0);
    }

    /// <summary>
    /// In place, the gradient through relu(x + bias) whose output is <paramref name="output"/> (gradient where the output is
    /// positive, else 0, as LibTorch's threshold backward), also added into the bias's gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // short rows in hot loops: a call costs as much as the row
    public static void ReluGradientAndBias(Span<float> gradient, ReadOnlySpan<float> output, Span<float> biasGradient)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var g = MemoryMarshal.Cast<float, Vector<float>>(gradient);
            var o = MemoryMarshal.Cast<float, Vector<float>>(output);
            var b = MemoryMarshal.Cast<float, Vector<float>>(biasGradient);
            for (var k = 0; k < g.Length; k++)
            {
                var masked = Vector.ConditionalSelect(Vector.GreaterThan(o[k], Vector<float>.Zero), g[k], Vector<float>.Zero);
                g[k] = masked;
                b[k] += masked;
            }
            i = g.Length * Vector<float>.Count;
        }
        for (; i < gradient.Length; i++)
        {
            gradient[i] = output[i] > 0 ? gradient[i] : 0;
            biasGradient[i] += gradient[i];
        }
    }

    /// <summary>target += values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // short rows in hot loops: a call costs as much as the row
    public static void Add(Span<float> target, ReadOnlySpan<float> values)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<float, Vector<float>>(target);
            var v = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (var k = 0; k < t.Length; k++)
                t[k] += v[k];
            i = t.Length * Vector<float>.Count;
        }
        for (; i < target.Length; i++)
            target[i] += values[i];
    }

    /// <summary>target += scale · values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // short rows in hot loops: a call costs as much as the row
    public static void MultiplyAdd(Span<float> target, ReadOnlySpan<float> values, float scale)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<float, Vector<float>>(target);
            var v = MemoryMarshal.Cast<float, Vector<float>>(values);
            var s = new Vector<float>(scale);
            for (var k = 0; k < t.Length; k++)
                t[k] += v[k] * s;
            i = t.Length * Vector<float>.Count;
        }
        for (; i < target.Length; i++)
            target[i] += values[i] * scale;
    }

    /// <summary>Σ a ⊙ b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // short rows in hot loops: a call costs as much as the row
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var i = 0;
        var sum = 0f;
        if (Vector.IsHardwareAccelerated)
        {
            var x = MemoryMarshal.Cast<float, Vector<float>>(a);
            var y = MemoryMarshal.Cast<float, Vector<float>>(b);
            var acc = Vector<float>.Zero;
            for (var k = 0; k < x.Length; k++)
                acc += x[k] * y[k];
            sum = Vector.Sum(acc);
            i = x.Length * Vector<float>.Count;
        }
        for (; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }

    /// <summary>
    /// The softmax of each row of <paramref name="width"/> scores, with the row's maximum subtracted first; −∞ scores get
    /// probability 0. The exponentials are one vectorized pass over all rows.
    /// </summary>
    /// <remarks><c>TensorPrimitives.SoftMax</c> sums exp(scores) without subtracting the maximum, so large scores overflow.</remarks>
    public static void Softmax(ReadOnlySpan<float> scores, Span<float> probabilities, int width)
    {
        for (var at = 0; at < scores.Length; at += width)
        {
            var row = scores.Slice(at, width);
            var max = float.NegativeInfinity;
            foreach (var s in row)
                max = MathF.Max(max, s);
            for (var i = 0; i < width; i++)
                probabilities[at + i] = row[i] - max;
        }
        TensorPrimitives.Exp(probabilities, probabilities);
        for (var at = 0; at < probabilities.Length; at += width)
        {
            var row = probabilities.Slice(at, width);
            var sum = 0f;
            foreach (var p in row)
                sum += p;
            var scale = 1 / sum;
            for (var i = 0; i < width; i++)
                row[i] *= scale;
        }
    }

    /// <summary>The gradient through a softmax: target = p ⊙ (gradient − Σ p ⊙ gradient).</summary>
    public static void SoftmaxGradient(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> gradient, Span<float> target)
    {
        var dot = 0f;
        for (var i = 0; i < probabilities.Length; i++)
            dot += probabilities[i] * gradient[i];
        for (var i = 0; i < probabilities.Length; i++)
            target[i] = probabilities[i] * (gradient[i] - dot);
    }
}
