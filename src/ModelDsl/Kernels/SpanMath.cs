using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ModelDsl.Kernels;

/// <summary>
/// What the CPU kernels share beyond <see cref="System.Numerics.Tensors.TensorPrimitives"/> (which does their
/// vector arithmetic): cache prefetch, the ReLU's gradient, and a softmax with its gradient.
/// </summary>
internal static class SpanMath
{
    /// <summary>The most floats a kernel reaches in one tensor: it reads a tensor through a span of its bytes, which addresses 2 GiB.</summary>
    public const long MaxFloats = int.MaxValue / sizeof(float);

    /// <summary>How many iterations ahead a loop over scattered rows asks for the next row.</summary>
    public const int PrefetchDistance = 8;

    /// <summary>Asks the CPU to bring <paramref name="values"/>[<paramref name="index"/>] into cache; never faults, does nothing off x86.</summary>
    public static unsafe void Prefetch<T>(ReadOnlySpan<T> values, int index) where T : unmanaged
    {
        if (Sse.IsSupported)
            Sse.Prefetch0(Unsafe.AsPointer(ref MemoryMarshal.GetReference(values.Slice(index))));
    }

    /// <summary>The gradient through a ReLU: target = 0 where its output is ≤ 0, else the gradient (as LibTorch's threshold backward, so a NaN output passes it).</summary>
    public static void ReluGradient(Span<float> target, ReadOnlySpan<float> gradient, ReadOnlySpan<float> output)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<float, Vector<float>>(target);
            var g = MemoryMarshal.Cast<float, Vector<float>>(gradient);
            var o = MemoryMarshal.Cast<float, Vector<float>>(output);
            for (var k = 0; k < t.Length; k++)
                t[k] = Vector.ConditionalSelect(Vector.LessThanOrEqual(o[k], Vector<float>.Zero), Vector<float>.Zero, g[k]);
            i = t.Length * Vector<float>.Count;
        }
        for (; i < target.Length; i++)
            target[i] = output[i] <= 0 ? 0 : gradient[i];
    }

    /// <summary>probabilities = softmax(scores), with the maximum subtracted first; −∞ scores get probability 0.</summary>
    /// <remarks><c>TensorPrimitives.SoftMax</c> sums exp(scores) without subtracting the maximum, so large scores overflow.</remarks>
    public static void Softmax(ReadOnlySpan<float> scores, Span<float> probabilities)
    {
        var max = float.NegativeInfinity;
        foreach (var s in scores)
            max = MathF.Max(max, s);
        var sum = 0f;
        for (var i = 0; i < scores.Length; i++)
            sum += probabilities[i] = MathF.Exp(scores[i] - max);
        var scale = 1 / sum;
        for (var i = 0; i < probabilities.Length; i++)
            probabilities[i] *= scale;
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
