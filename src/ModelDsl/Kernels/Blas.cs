using System.Runtime.InteropServices;

namespace ModelDsl.Kernels;

/// <summary>
/// Row-major single-precision matrix products straight into the MKL that LibTorch's CPU library carries (its
/// Fortran <c>sgemm_</c>), on memory the caller owns: no tensor objects, no output allocation, and strided
/// operands (one expert's columns of a [batch, experts·units] block) without a copy. LibTorch sets MKL's
/// thread count with its own, so these products use the trainer's threads.
/// </summary>
internal static unsafe class Blas
{
    private static readonly delegate* unmanaged<byte*, byte*, int*, int*, int*, float*, float*, int*, float*, int*, float*, float*, int*, void> Sgemm = Resolve();

    /// <summary>Whether LibTorch's CPU library exports <c>sgemm_</c> (builds with MKL; not every platform's).</summary>
    public static bool Available => Sgemm != null;

    /// <summary>c[m × n] = op(a) · op(b) + beta · c, all row-major; op(a) is m × k, op(b) k × n; ld* are the row strides.</summary>
    public static void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        // Column-major BLAS sees each row-major matrix transposed, so it computes cᵀ = op(b)ᵀ · op(a)ᵀ.
        byte opB = transposeB ? (byte)'T' : (byte)'N', opA = transposeA ? (byte)'T' : (byte)'N';
        var alpha = 1f;
        Sgemm(&opB, &opA, &n, &m, &k, &alpha, b, &ldb, a, &lda, &beta, c, &ldc);
    }

    private static delegate* unmanaged<byte*, byte*, int*, int*, int*, float*, float*, int*, float*, int*, float*, float*, int*, void> Resolve()
    {
        // TorchSharp has loaded the library by the time a tensor exists; loading by name returns that copy.
        foreach (var name in (string[])["libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll"])
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "sgemm_", out var address))
                return (delegate* unmanaged<byte*, byte*, int*, int*, int*, float*, float*, int*, float*, int*, float*, float*, int*, void>)address;
        }
        return null;
    }
}
