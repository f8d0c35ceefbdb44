using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Kernels;

/// <summary>What the fused kernels read and write: float32 CPU tensors, seen as spans (which address at most 2 GiB).</summary>
internal static class CpuFloats
{
    /// <summary>The most floats a span addresses.</summary>
    public const long MaxElements = int.MaxValue / sizeof(float);

    /// <summary>Whether <paramref name="tensor"/> is a float32 CPU tensor a span can address.</summary>
    public static bool Fits(Tensor tensor) =>
        tensor.device_type == DeviceType.CPU && tensor.dtype == ScalarType.Float32 && tensor.numel() <= MaxElements;

    /// <summary>The floats of a contiguous tensor, in place.</summary>
    public static Span<float> Of(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);
}
