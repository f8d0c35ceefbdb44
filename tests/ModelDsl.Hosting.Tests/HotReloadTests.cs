using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quickstart;
using Xunit;

namespace ModelDsl.Hosting.Tests;

[Trait("Category", "Hosting")]
public sealed class HotReloadTests(ModelFiles files) : IClassFixture<ModelFiles>
{
    private const int Clients = 16;
    private const int Swaps = 20;

    /// <summary>
    /// 16 clients call through 20 swaps between two models, watched on disk and replaced by rename, with a damaged and a
    /// foreign file halfway: no call fails, and each answers wholly as one model or the other would.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientsThroughSwapsGetOneModelsAnswersAndNoErrors(bool microBatching)
    {
        var path = Path.Combine(files.NewFolder(), "model.onnx");
        File.Copy(files.A, path);
        using var a = new VideoRanker.Predictor(files.A);
        using var b = new VideoRanker.Predictor(files.B);
        var options = new PredictorOptions<VideoRanker.Features> { Path = path, ReloadDebounce = TimeSpan.FromMilliseconds(10) };
        options.MicroBatching.Enabled = microBatching;
        using var pool = new PredictorPool<VideoRanker.Features, VideoRanker.Prediction>(p => new VideoRanker.Predictor(p), options);
        var health = new PredictorHealthCheck<VideoRanker.Features, VideoRanker.Prediction>(pool);
        var served = new long[2];
        var problems = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(() => Client(c))).ToArray();

        for (var swap = 1; swap <= Swaps; swap++)
        {
            if (swap == Swaps / 2)
            {
                var serving = pool.Current.FileSha256;
                foreach (var (bad, reason) in new[] { (files.Damaged, "metadata entry: it is damaged"), (files.Foreign, "ForeignRanker") })
                {
                    ModelFiles.Replace(path, bad);
                    await Until(() => pool.LastReloadError?.Message.Contains(reason, StringComparison.Ordinal) == true);
                    Assert.Equal(serving, pool.Current.FileSha256);
                    var report = await health.CheckHealthAsync(new HealthCheckContext());
                    Assert.Equal(HealthStatus.Degraded, report.Status);
                    Assert.Contains(reason, (string)report.Data["lastReloadError"], StringComparison.Ordinal);
                    Assert.Equal(serving, report.Data["fileSha256"]);
                }
            }
            var next = swap % 2;
            ModelFiles.Replace(path, next == 0 ? files.A : files.B);
            await Until(() => pool.Current.FileSha256 == Sha256(next == 0 ? files.A : files.B) && pool.LastReloadError is null);
            // Let every client call the new model a few times before the next swap.
            var before = Interlocked.Read(ref served[next]);
            await Until(() => Interlocked.Read(ref served[next]) >= before + 2 * Clients);
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.True(problems.IsEmpty, string.Join('\n', problems.Take(5)));
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        async Task Client(int id)
        {
            var random = new Random(id);
            while (!stop.IsCancellationRequested)
            {
                // Back of the pool's queue between calls: 16 clients that never wait would starve the reload's own
                // work items on 2 cores (the test then took minutes instead of seconds).
                await Task.Yield();
                var candidates = Candidates(random, 1 + random.Next(8));
                var answers = new VideoRanker.Prediction[candidates.Length];
                try
                {
                    switch (random.Next(3))
                    {
                        case 0:
                            pool.Predict(candidates, answers);
                            break;
                        case 1 when candidates.Length == 1:
                            answers[0] = await pool.PredictAsync(candidates[0]);
                            break;
                        default:
                            await pool.PredictAsync(candidates, answers);
                            break;
                    }
                }
#pragma warning disable CA1031 // Every failure is reported.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    problems.Enqueue(e.ToString());
                    continue;
                }
                var model = Array.FindIndex([a, b], p =>
                {
                    var expected = new VideoRanker.Prediction[candidates.Length];
                    p.Predict(candidates, expected);
                    return expected.SequenceEqual(answers);
                });
                if (model < 0)
                    problems.Enqueue($"Answers of neither model: {string.Join(", ", answers)}");
                else
                    Interlocked.Increment(ref served[model]);
            }
        }
    }

    /// <summary>The race the swap test can only hit by chance: a call reads the model, a swap retires it, then the call enters it.</summary>
    [Fact]
    public void ACallThatMeetsARetiredModelRunsAgainOnItsSuccessor()
    {
        var path = Path.Combine(files.NewFolder(), "model.onnx");
        File.Copy(files.A, path);
        using var b = new VideoRanker.Predictor(files.B);
        using var pool = new PredictorPool<VideoRanker.Features, VideoRanker.Prediction>(p => new VideoRanker.Predictor(p),
            new() { Path = path, WatchFile = false });
        var swaps = 0;
        pool.AfterModelRead = () =>
        {
            if (swaps++ == 0)
            {
                ModelFiles.Replace(path, files.B);
                Assert.Equal(ReloadOutcome.Swapped, pool.Reload());
            }
        };
        var candidate = Candidates(new Random(6), 1)[0];

        Assert.Equal(b.Predict(candidate), pool.Predict(candidate));
        Assert.Equal(2, swaps);
    }

    /// <summary>The file is hashed before and after it is opened: a model and the hash it reports always belong together.</summary>
    [Fact]
    public void AFileReplacedWhileItLoadsIsLoadedAgainOrRefused()
    {
        var path = Path.Combine(files.NewFolder(), "model.onnx");
        File.Copy(files.A, path);
        var opened = 0;
        using var pool = new PredictorPool<VideoRanker.Features, VideoRanker.Prediction>(p =>
        {
            // The first open finds B where the hash was taken of A.
            if (opened++ == 0)
                ModelFiles.Replace(p, files.B);
            return new VideoRanker.Predictor(p);
        }, new() { Path = path, WatchFile = false });

        Assert.Equal(2, opened);
        Assert.Equal(Sha256(files.B), pool.Current.FileSha256);
        using var b = new VideoRanker.Predictor(files.B);
        var candidate = Candidates(new Random(9), 1)[0];
        Assert.Equal(b.Predict(candidate), pool.Predict(candidate));

        var error = Assert.Throws<ModelFileException>(() => new PredictorPool<VideoRanker.Features, VideoRanker.Prediction>(p =>
        {
            ModelFiles.Replace(p, opened++ % 2 == 0 ? files.A : files.B);
            return new VideoRanker.Predictor(p);
        }, new() { Path = path, WatchFile = false }));
        Assert.Contains("changed while it was loaded, 3 times: replace it atomically", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReloadRefusesAModelThatAnswersTheProbeWithNonFiniteValues()
    {
        var path = Path.Combine(files.NewFolder(), "model.onnx");
        File.Copy(files.A, path);
        var options = new PredictorOptions<VideoRanker.Features>
        {
            Path = path,
            WatchFile = false,
            ProbeCandidates = [default, new VideoRanker.Features(UserId: 1, VideoId: 2, HourOfDay: 3, VideoAgeDays: 4)],
        };
        using var pool = new PredictorPool<VideoRanker.Features, VideoRanker.Prediction>(p => new VideoRanker.Predictor(p), options);

        ModelFiles.Replace(path, files.NonFinite);
        Assert.Equal(ReloadOutcome.Failed, pool.Reload());

        Assert.Contains("of probe candidate 1", pool.LastReloadError!.Message, StringComparison.Ordinal);
        Assert.Equal(Sha256(files.A), pool.Current.FileSha256);
        var error = Assert.Throws<ModelFileException>(() => new PredictorPool<VideoRanker.Features, VideoRanker.Prediction>(p => new VideoRanker.Predictor(p), options));
        Assert.Contains("probe candidate 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnchangedFileIsNotLoadedAgainAndClearsAnEarlierError()
    {
        var path = Path.Combine(files.NewFolder(), "model.onnx");
        File.Copy(files.A, path);
        using var pool = new PredictorPool<VideoRanker.Features, VideoRanker.Prediction>(p => new VideoRanker.Predictor(p),
            new() { Path = path, WatchFile = false });
        var loaded = pool.Current;

        ModelFiles.Replace(path, files.Foreign);
        Assert.Equal(ReloadOutcome.Failed, pool.Reload());
        ModelFiles.Replace(path, files.A);
        Assert.Equal(ReloadOutcome.Unchanged, pool.Reload());

        Assert.Null(pool.LastReloadError);
        Assert.Same(loaded, pool.Current);
    }

    internal static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    internal static VideoRanker.Features[] Candidates(Random random, int count) =>
        Enumerable.Range(0, count)
            .Select(_ => new VideoRanker.Features(UserId: random.Next(500), VideoId: random.Next(300), HourOfDay: random.Next(24), VideoAgeDays: (float)(random.NextDouble() * 60)))
            .ToArray();

    /// <summary>Waits for <paramref name="condition"/>, failing after a minute (a bound, not a timing).</summary>
    internal static async Task Until(Func<bool> condition)
    {
        for (var waited = TimeSpan.Zero; !condition(); waited += TimeSpan.FromMilliseconds(5))
        {
            Assert.True(waited < TimeSpan.FromMinutes(1), "The condition did not come true within a minute.");
            await Task.Delay(5);
        }
    }
}
