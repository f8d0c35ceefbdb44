using System;
using System.Diagnostics.Metrics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quickstart;
using Xunit;

namespace ModelDsl.Hosting.Tests;

[Trait("Category", "Hosting")]
public sealed class RegistrationTests(ModelFiles files) : IClassFixture<ModelFiles>
{
    private const string Model = "Quickstart.VideoRanker";

    [Fact]
    public async Task ARegisteredPoolServesMeasuresLogsAndReportsHealth()
    {
        var path = Path.Combine(files.NewFolder(), "model.onnx");
        File.Copy(files.A, path);
        using var logs = new LogRecorder();
        await using var provider = Services(path, logs).BuildServiceProvider();
        using var metrics = new MetricRecorder(provider.GetRequiredService<IMeterFactory>());
        foreach (var service in provider.GetServices<IHostedService>())
            await service.StartAsync(default);
        var pool = provider.GetRequiredService<PredictorPool<VideoRanker.Features, VideoRanker.Prediction>>();

        pool.Predict(HotReloadTests.Candidates(new Random(1), 1)[0]);
        pool.Predict(HotReloadTests.Candidates(new Random(2), 4), new VideoRanker.Prediction[4]);
        Assert.Throws<ModelDataException>(() => pool.Predict(new VideoRanker.Features(UserId: 500, VideoId: 1, HourOfDay: 1, VideoAgeDays: 1)));
        ModelFiles.Replace(path, files.B);
        Assert.Equal(ReloadOutcome.Swapped, pool.Reload());
        Assert.Equal(ReloadOutcome.Unchanged, pool.Reload());
        ModelFiles.Replace(path, files.Damaged);
        Assert.Equal(ReloadOutcome.Failed, pool.Reload());

        Assert.Equal([1, 1, 1], metrics.Values(PredictorTelemetry.Requests));
        Assert.Equal([1, 4, 1], metrics.Values(PredictorTelemetry.Candidates));
        Assert.Equal(3, metrics.Values(PredictorTelemetry.Duration).Length);
        Assert.Equal("s", metrics.Instrument(PredictorTelemetry.Duration).Unit);
        Assert.Equal([1], metrics.Values(PredictorTelemetry.Errors, (PredictorTelemetry.ErrorTypeAttribute, PredictorTelemetry.InvalidInput)));
        foreach (var outcome in new[] { "swapped", "unchanged", "failed" })
            Assert.Equal([1], metrics.Values(PredictorTelemetry.Reloads, (PredictorTelemetry.ReloadOutcomeAttribute, outcome)));
        Assert.All(new[] { PredictorTelemetry.Requests, PredictorTelemetry.Duration, PredictorTelemetry.Reloads }.SelectMany(metrics.Tags),
            tags => Assert.Contains(new(PredictorTelemetry.ModelAttribute, Model), tags));

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = report.Entries["modeldsl-VideoRanker"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(Model, entry.Data["model"]);
        Assert.Equal(VideoRanker.Schema.Fingerprint, entry.Data["fingerprint"]);
        Assert.Equal(HotReloadTests.Sha256(files.B), entry.Data["fileSha256"]);
        Assert.Contains("metadata entry: it is damaged", (string)entry.Data["lastReloadError"], StringComparison.Ordinal);
        Assert.True(entry.Data.ContainsKey("fileModified") && entry.Data.ContainsKey("loadedAt"));

        Assert.Equal([1, 2, 4, 3], logs.Entries.Where(e => e.Id.Id is >= 1 and <= 6).Select(e => e.Id.Id));
        Assert.Contains(logs.Entries, e => e.Id.Name == "ReloadFailed" && e.Level == LogLevel.Error && e.Message.Contains(path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANonFiniteAnswerIsRefusedNamingTheOutputAndCandidateAndCounted()
    {
        await using var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var metrics = new MetricRecorder(provider.GetRequiredService<IMeterFactory>());
        // The default probe (every feature 0) gets finite answers from this model, so it loads.
        using var pool = new PredictorPool<VideoRanker.Features, VideoRanker.Prediction>(p => new VideoRanker.Predictor(p),
            new() { Path = files.NonFinite, WatchFile = false }, meterFactory: provider.GetRequiredService<IMeterFactory>());
        VideoRanker.Features[] candidates = [default, default, new(UserId: 1, VideoId: 2, HourOfDay: 3, VideoAgeDays: 5)];

        var single = Assert.Throws<NonFiniteOutputException>(() => pool.Predict(candidates[2]));
        var batch = Assert.Throws<NonFiniteOutputException>(() => pool.Predict(candidates, new VideoRanker.Prediction[3]));

        Assert.Contains(single.Output, VideoRanker.Schema.Outputs.Select(o => o.Name));
        Assert.Contains($"output '{single.Output}' of the candidate at index 0", single.Message, StringComparison.Ordinal);
        Assert.Equal(2, batch.Candidate);
        Assert.False(float.IsFinite(batch.Value));
        Assert.Equal([1, 1], metrics.Values(PredictorTelemetry.Errors, (PredictorTelemetry.ErrorTypeAttribute, PredictorTelemetry.NonFiniteOutput)));
    }

    [Fact]
    public async Task AFileOfAnotherSpecStopsTheHostAtStart()
    {
        await using var provider = Services(files.Foreign, null).BuildServiceProvider();
        var error = await Assert.ThrowsAsync<ModelFileException>(async () =>
        {
            foreach (var service in provider.GetServices<IHostedService>())
                await service.StartAsync(default);
        });
        Assert.Contains("ForeignRanker", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 0, "Path")]
    [InlineData("model.onnx", -1, "ReloadDebounce")]
    public void BadOptionsAreRefusedAtRegistration(string? path, int debounceMs, string option)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPredictor(p => new VideoRanker.Predictor(p), o =>
        {
            o.Path = path;
            o.ReloadDebounce = TimeSpan.FromMilliseconds(debounceMs);
        }));
        Assert.Equal(option, error.ParamName);
    }

    /// <summary>Answers are checked as floats, one per output: a hand-written prediction type of another shape is refused, not misread.</summary>
    [Fact]
    public void APredictionTypeOtherThanOneFloatPerOutputIsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new PredictorPool<VideoRanker.Features, (double Click, double WatchMinutes)>(p => new DoublePredictor(p), new() { Path = files.A, WatchFile = false }));
        Assert.Contains("one float per output (2)", error.Message, StringComparison.Ordinal);
    }

    private sealed class DoublePredictor(string path) : ModelDsl.Serving.OnnxPredictor<VideoRanker.Features, (double Click, double WatchMinutes)>(path, VideoRanker.Schema, null)
    {
        protected override void Encode(in VideoRanker.Features features, Span<long> categorical, Span<float> numeric) => features.Encode(categorical, numeric);

        protected override (double Click, double WatchMinutes) Decode(ReadOnlySpan<float> outputs) => (outputs[0], outputs[1]);
    }

    private static IServiceCollection Services(string path, LogRecorder? logs) =>
        new ServiceCollection()
            .AddLogging(l =>
            {
                if (logs is not null)
                    l.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
            })
            .AddMetrics()
            .AddPredictor(p => new VideoRanker.Predictor(p), o => (o.Path, o.WatchFile) = (path, false));
}
