using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ModelDsl.Tests.Models;
using Xunit;
using Xunit.Abstractions;

namespace ModelDsl.Tests;

/// <summary>One predictor shared by 16 threads answers exactly as sequential calls, and memory stays flat.</summary>
public class ConcurrencyTests(TrainedModelFixture model, ITestOutputHelper output) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void SixteenThreadsMatchSequentialCallsWithFlatMemory()
    {
        var random = new Random(4);
        var candidates = Enumerable.Range(0, 1_000).Select(_ => new ClickWatchModel.Features(
            random.Next(200), random.Next(100), random.Next(7), (float)random.NextDouble())).ToArray();
        using var predictor = new ClickWatchModel.Predictor(model.OnnxPath);
        var expected = candidates.Select(c => predictor.Predict(c)).ToArray();

        const int Threads = 16, Calls = 1_000_000;
        var before = Process.GetCurrentProcess().WorkingSet64;
        var mismatches = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            for (var call = thread; call < Calls; call += Threads)
            {
                var i = call % candidates.Length;
                if (predictor.Predict(candidates[i]) != expected[i])
                    System.Threading.Interlocked.Increment(ref mismatches);
            }
        });
        var after = Process.GetCurrentProcess().WorkingSet64;
        output.WriteLine($"working set {before / 1e6:F0} MB → {after / 1e6:F0} MB over {Calls:N0} predictions on {Threads} threads");
        Assert.Equal(0, mismatches);
        Assert.True(after - before < 64_000_000, $"working set grew by {(after - before) / 1e6:F0} MB");

        var batched = new ClickWatchModel.Prediction[candidates.Length];
        Parallel.For(0, Threads, _ =>
        {
            var mine = new ClickWatchModel.Prediction[candidates.Length];
            predictor.Predict(candidates, mine);
            Assert.Equal(expected, mine);
        });
    }

    [Fact]
    public void BatchedCallsOfARepeatedSizeAllocateNothing()
    {
        var candidates = Enumerable.Range(0, 250).Select(i => new ClickWatchModel.Features(i % 200, i % 100, i % 7, i / 250f)).ToArray();
        var predictions = new ClickWatchModel.Prediction[candidates.Length];
        using var predictor = new ClickWatchModel.Predictor(model.OnnxPath);
        for (var i = 0; i < 3; i++)
            predictor.Predict(candidates, predictions);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
            predictor.Predict(candidates, predictions);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void EveryBatchSizeScoresLikeSingleCalls()
    {
        // More sizes than the predictor pools: the later ones build and drop their buffers.
        var candidates = Enumerable.Range(0, ClickWatchModel.Predictor.PooledBatchSizes + 6)
            .Select(i => new ClickWatchModel.Features(i % 200, i % 100, i % 7, i / 70f)).ToArray();
        using var predictor = new ClickWatchModel.Predictor(model.OnnxPath);
        var expected = candidates.Select(c => predictor.Predict(c)).ToArray();
        for (var size = 1; size <= candidates.Length; size++)
        {
            var predictions = new ClickWatchModel.Prediction[size];
            predictor.Predict(candidates.AsSpan(0, size), predictions);
            Assert.Equal(expected[..size], predictions);
        }
    }

    /// <summary>
    /// Dispose while threads are in single and batched calls: calls already running finish with right answers,
    /// later ones throw ObjectDisposedException, and nothing runs on a released session (which crashed the process).
    /// </summary>
    [Fact]
    public async Task DisposeWhileCallsRunLetsThemFinishAndLaterOnesThrow()
    {
        var candidates = Enumerable.Range(0, 2_000).Select(i => new ClickWatchModel.Features(i % 200, i % 100, i % 7, i / 2_000f)).ToArray();
        ClickWatchModel.Prediction[] expected;
        using (var reference = new ClickWatchModel.Predictor(model.OnnxPath))
            expected = candidates.Select(c => reference.Predict(c)).ToArray();
        var random = new Random(5);
        for (var round = 0; round < 20; round++)
        {
            var predictor = new ClickWatchModel.Predictor(model.OnnxPath);
            var mismatches = 0;
            void Single()
            {
                for (var i = 0; ; i = (i + 1) % candidates.Length)
                {
                    try
                    {
                        if (predictor.Predict(candidates[i]) != expected[i])
                            Interlocked.Increment(ref mismatches);
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                }
            }
            void Batched()
            {
                var predictions = new ClickWatchModel.Prediction[candidates.Length];
                while (true)
                {
                    try
                    {
                        predictor.Predict(candidates, predictions);
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                    if (!predictions.SequenceEqual(expected))
                        Interlocked.Increment(ref mismatches);
                }
            }
            var callers = new[] { Task.Run(Single), Task.Run(Single), Task.Run(Batched) };
            await Task.Delay(random.Next(1, 20));
            predictor.Dispose();
            await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, mismatches);
            Assert.Throws<ObjectDisposedException>(() => predictor.Predict(candidates[0]));
        }
    }

    [Fact]
    public void DisposeWhileIdleThenUseThrows()
    {
        var predictor = new ClickWatchModel.Predictor(model.OnnxPath);
        predictor.Predict(new ClickWatchModel.Features(1, 1, 1, 1));
        predictor.Dispose();
        predictor.Dispose();
        Assert.Throws<ObjectDisposedException>(() => predictor.Predict(new ClickWatchModel.Features(1, 1, 1, 1)));
        Assert.Throws<ObjectDisposedException>(() => predictor.Predict(new ClickWatchModel.Features[1], new ClickWatchModel.Prediction[1]));
    }
}
