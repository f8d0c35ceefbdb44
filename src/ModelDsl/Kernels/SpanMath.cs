using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ModelDsl.Kernels;

/// <summary>The vectorized float loops and cache prefetch the CPU kernels share.</summary>
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

    /// <summary>target += scale · value, element by element.</summary>
    public static void MultiplyAdd(Span<float> target, float scale, ReadOnlySpan<float> value)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var t = MemoryMarshal.Cast<float, Vector<float>>(target);
            var v = MemoryMarshal.Cast<float, Vector<float>>(value);
            var s = new Vector<float>(scale);
            for (var k = 0; k < t.Length; k++)
                t[k] += s * v[k];
            i = t.Length * Vector<float>.Count;
        }
        for (; i < target.Length; i++)
            target[i] += scale * value[i];
    }

    /// <summary>Σ a[i] · b[i].</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var i = 0;
        var sum = 0f;
        if (Vector.IsHardwareAccelerated)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            var acc = Vector<float>.Zero;
            for (var k = 0; k < va.Length; k++)
                acc += va[k] * vb[k];
            sum = Vector.Sum(acc);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }
}
