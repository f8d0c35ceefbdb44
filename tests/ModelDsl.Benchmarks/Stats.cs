using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ModelDsl.Benchmarks;

internal static class Stats
{
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        var rank = Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[rank];
    }

    public static double Median(IReadOnlyCollection<double> values) => Percentile(values, 50);

    public static double Seconds(long since) => Stopwatch.GetElapsedTime(since).TotalSeconds;

    /// <summary>
    /// CPU seconds the calling thread has run (Linux; NaN elsewhere). With one LibTorch thread a training step
    /// runs on the calling thread, so this excludes the time other processes on a shared machine take from it.
    /// </summary>
    public static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux())
            return double.NaN;
        return clock_gettime(ThreadCpuClock, out var now) == 0 ? now.Seconds + now.Nanoseconds * 1e-9 : double.NaN;
    }

    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clock, out TimeSpec time);

    /// <summary>Dense float32 torch.mm of n×n by n×n: GFLOP/s (2n³ per product) of each of <paramref name="reps"/> products after two warm-ups.</summary>
    public static List<double> MatmulRates(int n, int reps)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        for (var i = 0; i < 2; i++)
            mm(a, b).Dispose();
        var rates = new List<double>();
        for (var i = 0; i < reps; i++)
        {
            var begin = Stopwatch.GetTimestamp();
            mm(a, b).Dispose();
            rates.Add(2.0 * n * n * n / Seconds(begin) / 1e9);
        }
        return rates;
    }
}
