using System;
using System.Diagnostics.Metrics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Quickstart;
using Xunit;

namespace ModelDsl.Hosting.Tests;

[Trait("Category", "Hosting")]
public sealed class MicroBatchingTests(ModelFiles files) : IClassFixture<ModelFiles>
{
    [Fact]
    public async Task ConcurrentCallersGetTheAnswersOfUnbatchedCalls()
    {
        using var direct = new VideoRanker.Predictor(files.A);
        using var pool = Pool(new MicroBatchingOptions { Enabled = true, MaxRequestCandidates = 3 });

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(c => Task.Run(async () =>
        {
            var random = new Random(c);
            var calls = new (VideoRanker.Features[] Candidates, VideoRanker.Prediction[] Answers)[40];
            for (var i = 0; i < calls.Length; i++)
            {
                var candidates = HotReloadTests.Candidates(random, 1 + i % 3);
                var answers = new VideoRanker.Prediction[candidates.Length];
                if (candidates.Length == 1)
                    answers[0] = await pool.PredictAsync(candidates[0]);
                else
                    await pool.PredictAsync(candidates, answers);
                calls[i] = (candidates, answers);
            }
            return calls;
        })));

        foreach (var (candidates, answers) in results.SelectMany(r => r))
        {
            var expected = new VideoRanker.Prediction[candidates.Length];
            direct.Predict(candidates, expected);
            Assert.Equal(expected, answers);
        }
    }

    [Fact]
    public async Task RequestsQueuedTogetherRunAsOneBatchAndABadCandidateFailsOnlyItsOwnRequest()
    {
        await using var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = provider.GetRequiredService<IMeterFactory>();
        using var metrics = new MetricRecorder(meters);
        using var direct = new VideoRanker.Predictor(files.A);
        // The batch runs when 8 candidates are queued; the wait (1 s) only bounds a stalled test.
        using var pool = Pool(new MicroBatchingOptions { Enabled = true, MaxBatchSize = 8, MaxWait = TimeSpan.FromSeconds(1) }, meters);
        var candidates = HotReloadTests.Candidates(new Random(4), 8);

        var expected = candidates.Select(c => direct.Predict(c)).ToArray();

        var answers = await Task.WhenAll(candidates.Select(c => pool.PredictAsync(c).AsTask()));
        var calls = candidates.Select((c, i) => pool.PredictAsync(i == 5 ? c with { HourOfDay = 24 } : c).AsTask()).ToArray();
        await Assert.ThrowsAsync<ModelDataException>(() => calls[5]);

        Assert.Equal([8], metrics.Values(PredictorTelemetry.BatchSize));
        Assert.Equal(expected, answers);
        Assert.Equal(expected.Where((_, i) => i != 5), calls.Where((_, i) => i != 5).Select(c => c.Result));
        Assert.Equal([1], metrics.Values(PredictorTelemetry.Errors, (PredictorTelemetry.ErrorTypeAttribute, PredictorTelemetry.InvalidInput)));
    }

    [Fact]
    public async Task DisposeAnswersQueuedRequestsThenRefuses()
    {
        using var direct = new VideoRanker.Predictor(files.A);
        var pool = Pool(new MicroBatchingOptions { Enabled = true, MaxBatchSize = 8, MaxWait = TimeSpan.FromSeconds(1) });
        var candidates = HotReloadTests.Candidates(new Random(5), 3);
        var calls = candidates.Select(c => pool.PredictAsync(c).AsTask()).ToArray();

        pool.Dispose();

        Assert.Equal(candidates.Select(c => direct.Predict(c)), await Task.WhenAll(calls));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.PredictAsync(candidates[0]).AsTask());
    }

    private PredictorPool<VideoRanker.Features, VideoRanker.Prediction> Pool(MicroBatchingOptions batching, IMeterFactory? meters = null)
    {
        var options = new PredictorOptions<VideoRanker.Features> { Path = files.A, WatchFile = false };
        (options.MicroBatching.Enabled, options.MicroBatching.MaxBatchSize, options.MicroBatching.MaxWait, options.MicroBatching.MaxRequestCandidates) =
            (batching.Enabled, batching.MaxBatchSize, batching.MaxWait, Math.Min(batching.MaxRequestCandidates, batching.MaxBatchSize));
        return new(p => new VideoRanker.Predictor(p), options, meterFactory: meters);
    }
}
