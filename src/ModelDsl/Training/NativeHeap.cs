using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace ModelDsl.Training;

/// <summary>
/// Keeps glibc's malloc from handing LibTorch's freed tensor memory back to the kernel between training steps.
/// A step allocates and frees megabytes of temporaries; by default glibc serves blocks above its (adaptive)
/// mmap threshold with fresh mappings and trims the heap top once more than twice that is free, so the next
/// step page-faults all of it in again (zeroed pages, a kernel entry each 4 KiB). On a 2-core machine that
/// made steps of the reference MMoE vary between 7 and 18 ms. Raising both thresholds, as PyTorch's CPU
/// performance guides do with a caching allocator, keeps the memory mapped: steps take the same 7 ms every
/// time. Each malloc arena (glibc makes one per thread that allocates, up to eight per core) then keeps up
/// to <see cref="TrimThreshold"/> of freed memory for reuse instead of returning it to the kernel.
/// Applied once per process, on glibc only, and not where the user tunes malloc through the environment
/// (<c>MALLOC_TRIM_THRESHOLD_</c>, <c>MALLOC_MMAP_THRESHOLD_</c> or <c>GLIBC_TUNABLES</c>): those settings win.
/// </summary>
internal static class NativeHeap
{
    private const int MallocTrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int MallocMmapThreshold = -3;   // M_MMAP_THRESHOLD
    private const int TrimThreshold = 256 << 20;
    // glibc's largest adaptive mmap threshold: bigger blocks (large embedding tables) still get their own mapping.
    private const int MmapThreshold = 32 << 20;

    private static int s_configured;

    /// <summary>Whether the thresholds were set by this process (false off glibc or where the environment tunes malloc).</summary>
    public static bool Tuned { get; private set; }

    public static void Configure()
    {
        if (Interlocked.Exchange(ref s_configured, 1) != 0 || !OperatingSystem.IsLinux()
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is not null)
            return;
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "mallopt", out var address))
            return;   // not glibc (musl has no mallopt)
        unsafe
        {
            var mallopt = (delegate* unmanaged<int, int, int>)address;
            Tuned = mallopt(MallocTrimThreshold, TrimThreshold) == 1 & mallopt(MallocMmapThreshold, MmapThreshold) == 1;
        }
    }
}
