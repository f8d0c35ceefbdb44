using System;
using System.Threading.Tasks;
using ModelDsl.Metrics;
using Xunit;

namespace ModelDsl.Tests;

public sealed class BinaryMetricsTests
{
    [Fact]
    public void AucCountsEachPositiveNegativePairAndTiesAsHalf()
    {
        Assert.Equal(1.0, BinaryMetrics.ComputeAuc([0.1f, 0.4f, 0.8f], [false, true, true]));
        Assert.Equal(0.0, BinaryMetrics.ComputeAuc([0.9f, 0.2f], [false, true]));
        // Pairs (positive, negative): (0.5, 0.5) tie = ½, (0.5, 0.2) = 1, (0.9, 0.5) = 1, (0.9, 0.2) = 1 → 3.5 / 4.
        Assert.Equal(0.875, BinaryMetrics.ComputeAuc([0.5f, 0.9f, 0.5f, 0.2f], [true, true, false, false]));
    }

    [Fact]
    public void AucIsNaNWithOneClass() =>
        Assert.True(double.IsNaN(BinaryMetrics.ComputeAuc([0.1f, 0.7f], [true, true])));

    /// <summary>A diverged model scores NaN; NaN never equals itself, which once kept the tie loop from advancing.</summary>
    [Fact]
    public async Task AucIsNaNAndReturnsWhenAScoreIsNaN()
    {
        var auc = await Task.Run(() => BinaryMetrics.ComputeAuc([0.2f, float.NaN, 0.7f], [false, true, true])).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(double.IsNaN(auc));

        var metrics = new BinaryMetrics();
        metrics.Add(float.NaN, 1);
        metrics.Add(0.3f, 0);
        Assert.True(double.IsNaN(metrics.Auc));
        Assert.True(double.IsNaN(metrics.LogLoss));
    }
}
