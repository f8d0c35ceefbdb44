using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
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
