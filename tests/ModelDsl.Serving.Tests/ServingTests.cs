using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;
using ModelDsl.Testing;
using Quickstart;
using Serving;
using Xunit;

namespace ModelDsl.Serving.Tests;

/// <summary>The Serving example running as its own process on a free loopback port, serving a freshly trained demo model.</summary>
public sealed class ServingApp : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("modeldsl-serving-");
    private readonly ChildProcess _server;

    /// <summary>The server's candidate limit: its body limit is about 257 KB.</summary>
    public const int MaxCandidates = 1000;

    public ServingApp()
    {
        ModelPath = Path.Combine(_work.FullName, "video-ranker.onnx");
        try
        {
            DemoModel.TrainAndExport(ModelPath);
            (_server, BaseAddress) = Start(ModelPath, "--MaxCandidates", MaxCandidates.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string ModelPath { get; }

    /// <summary>A folder for a test's files, removed with the fixture.</summary>
    public string Work => _work.FullName;

    /// <summary>Starts a server on a free loopback port (Kestrel picks it and logs it, so parallel runs cannot collide).</summary>
    internal static (ChildProcess Server, Uri BaseAddress) Start(string model, params string[] options)
    {
        var server = ChildProcess.Start(AppContext.BaseDirectory, "dotnet", ["Serving.dll", "--model", model, "--urls", "http://127.0.0.1:0", .. options]);
        try
        {
            var line = server.WaitForLine(l => l.Contains("Now listening on: ", StringComparison.Ordinal), TimeSpan.FromMinutes(1));
            return (server, new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Trim()));
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    public Uri BaseAddress { get; }

    public string Output => _server.Output;

    public void Dispose()
    {
        _server?.Dispose(); // null when the constructor failed before starting it
        _work.Delete(recursive: true);
    }
}

[Trait("Category", "Serving")]
public sealed class ServingTests(ServingApp app) : IClassFixture<ServingApp>
{
    private const int Clients = 8;
    private const int RequestsPerClient = 6;

    [Fact]
    public async Task ConcurrentClientsGetWhatThePredictorComputesFromTheSameFile()
    {
        using var predictor = new VideoRanker.Predictor(app.ModelPath);
        var random = new Random(3);
        var batches = Enumerable.Range(0, Clients * RequestsPerClient).Select(i => Candidates(random, 1 + i % 20)).ToArray();

        var answers = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            using var http = new HttpClient { BaseAddress = app.BaseAddress };
            var mine = new VideoRanker.Prediction[RequestsPerClient][];
            for (var r = 0; r < RequestsPerClient; r++)
                mine[r] = await Score(http, batches[client * RequestsPerClient + r]);
            return mine;
        }));

        for (var i = 0; i < batches.Length; i++)
        {
            var expected = new VideoRanker.Prediction[batches[i].Length];
            predictor.Predict(batches[i], expected);
            var served = answers[i / RequestsPerClient][i % RequestsPerClient];
            Assert.Equal(expected.Length, served.Length);
            for (var c = 0; c < expected.Length; c++)
            {
                Assert.Equal(expected[c].Click, served[c].Click, 1e-6);
                Assert.Equal(expected[c].WatchMinutes, served[c].WatchMinutes, 1e-6);
            }
        }
    }

    [Fact]
    public async Task HealthNamesTheServedModelAndItsFile()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var (status, data) = await Health(http);
        Assert.Equal("Healthy", status);
        Assert.Equal(VideoRanker.Schema.Fingerprint, data.GetProperty("fingerprint").GetString());
        Assert.Equal(Sha256(app.ModelPath), data.GetProperty("fileSha256").GetString());
        Assert.Equal(Path.GetFullPath(app.ModelPath), data.GetProperty("path").GetString());
    }

    /// <summary>Re-exporting the model as the Quickstart does (an atomic write) swaps it in while the server runs.</summary>
    [Fact]
    public async Task AReExportedModelIsServedWithoutARestart()
    {
        var original = Path.Combine(app.Work, "original.onnx");
        File.Copy(app.ModelPath, original, overwrite: true);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var candidates = Candidates(new Random(7), 5);
        try
        {
            using (var trainer = new VideoRanker.Trainer(new ModelDsl.Training.TrainingOptions { Seed = 9 }))
                trainer.ExportOnnx(app.ModelPath);
            await ServedFile(http, Sha256(app.ModelPath));

            using var reexported = new VideoRanker.Predictor(app.ModelPath);
            var expected = new VideoRanker.Prediction[candidates.Length];
            reexported.Predict(candidates, expected);
            Assert.Equal(expected, await Score(http, candidates));
        }
        finally
        {
            File.Move(original, app.ModelPath, overwrite: true);
            await ServedFile(http, Sha256(app.ModelPath));
        }
    }

    [Fact]
    public async Task ADamagedReplacementKeepsTheModelServingAndHealthSaysWhy()
    {
        var original = Path.Combine(app.Work, "original.onnx");
        File.Copy(app.ModelPath, original, overwrite: true);
        var serving = Sha256(app.ModelPath);
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        try
        {
            var damaged = Path.Combine(app.Work, "damaged.onnx");
            var bytes = File.ReadAllBytes(original);
            File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);
            File.Move(damaged, app.ModelPath, overwrite: true);

            var (status, data) = await HealthWhen(http, h => h.Data.TryGetProperty("lastReloadError", out _), "report the damaged file");
            Assert.Equal("Degraded", status);
            Assert.Contains("metadata entry: it is damaged", data.GetProperty("lastReloadError").GetString(), StringComparison.Ordinal);
            Assert.Equal(serving, data.GetProperty("fileSha256").GetString());
            await Score(http, Candidates(new Random(10), 2));
        }
        finally
        {
            File.Move(original, app.ModelPath, overwrite: true);
        }
        await HealthWhen(http, h => h.Status == "Healthy", "become healthy again");
    }

    /// <summary>Issue 15, item 5: a model answering NaN or ±∞ made the server answer an empty 500 (JSON has no such numbers).</summary>
    [Fact]
    public async Task ANonFiniteAnswerIs500WithTheOutputNamedAndIsCounted()
    {
        var model = Path.Combine(app.Work, "non-finite.onnx");
        ModelDsl.Hosting.Tests.NonFiniteModel.Export(model);
        var (server, address) = ServingApp.Start(model);
        using var _ = server;
        using var http = new HttpClient { BaseAddress = address };

        using var response = await http.PostAsJsonAsync(new Uri("/score", UriKind.Relative),
            new { candidates = new[] { new VideoRanker.Features(UserId: 1, VideoId: 2, HourOfDay: 3, VideoAgeDays: 4) } });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var problem = JsonDocument.Parse(body);
        var output = problem.RootElement.GetProperty("output").GetString();
        Assert.Contains(output, VideoRanker.Schema.Outputs.Select(o => o.Name));
        Assert.Equal(0, problem.RootElement.GetProperty("candidate").GetInt32());
        Assert.Contains($"for output '{output}'", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Matches("modeldsl_predictor_errors_total\\{[^}]*error_type=\"non_finite_output\"[^}]*\\} 1", await Metrics(http));
    }

    [Fact]
    public async Task MetricsAreServedForPrometheus()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        await Score(http, Candidates(new Random(8), 3));
        var metrics = await Metrics(http);
        Assert.Matches("modeldsl_predictor_requests_total\\{[^}]*modeldsl_model=\"Quickstart.VideoRanker\"[^}]*\\} [1-9]", metrics);
        Assert.Contains("modeldsl_predictor_candidates_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("modeldsl_predictor_request_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"candidates":[{"userId":500,"videoId":1,"hourOfDay":2,"videoAgeDays":3}]}""", "outside its vocabulary")]
    [InlineData("""{"candidates":[{"userId":1,"videoId":1,"hourOfDay":2,"videoAgeDays":1},{"userId":1,"videoId":1,"hourOfDay":2}]}""", "'videoAgeDays'. (at $.candidates[1])")]
    [InlineData("""{"items":[]}""", "candidates")]
    public async Task BadRequestIsAnswered400WithTheReason(string body, string reason)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/score", UriKind.Relative), content);
        var detail = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(detail.Contains(reason, StringComparison.Ordinal), detail);
    }

    [Fact]
    public async Task UnknownCharsetIsAnswered415()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var content = new StringContent("""{"candidates":[]}""");
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=bogus");
        using var response = await http.PostAsync(new Uri("/score", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("bogus", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 15, item 8: a body of far more candidates than the limit, though under Kestrel's 30 MB default, was parsed
    /// whole and only then refused. The body limit now follows the candidate limit, so it is refused before it is read.
    /// </summary>
    [Fact]
    public async Task ABodyTooLargeForTheCandidateLimitIsRefusedBeforeItIsRead()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        // The server answers before reading the body, so the client must wait for that answer before sending it.
        http.DefaultRequestHeaders.ExpectContinue = true;
        var body = "{\"candidates\":[" + string.Join(',', Enumerable.Repeat("""{"userId":1,"videoId":1,"hourOfDay":2,"videoAgeDays":3}""", 20 * ServingApp.MaxCandidates)) + "]}";
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/score", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains($"the most {ServingApp.MaxCandidates} candidates may take", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>ASP.NET Core would read any --key into configuration: a typo must not quietly serve the demo model.</summary>
    [Theory]
    [InlineData("--modle", "model.onnx", "Unknown option '--modle'.")]
    [InlineData("model.onnx", null, "Unexpected argument 'model.onnx'.")]
    [InlineData("--MaxCandidates", "-1", "--MaxCandidates is '-1'; it must be a whole number of at least 1.")]
    [InlineData("--MaxCandidates=abc", null, "--MaxCandidates is 'abc'; it must be a whole number of at least 1.")]
    [InlineData("--model", null, "Option '--model' needs a value.")]
    [InlineData("--MicroBatching", "yes", "--MicroBatching is 'yes'; it must be true or false.")]
    public void BadCommandLineStopsTheServerWithUsage(string argument, string? value, string problem)
    {
        using var server = ChildProcess.Start(AppContext.BaseDirectory, "dotnet", value is null ? ["Serving.dll", argument] : ["Serving.dll", argument, value]);
        Assert.Equal(2, server.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Contains(problem, server.Output, StringComparison.Ordinal);
        Assert.Contains("Usage: Serving", server.Output, StringComparison.Ordinal);
    }

    private async Task<VideoRanker.Prediction[]> Score(HttpClient http, VideoRanker.Features[] candidates)
    {
        using var response = await http.PostAsJsonAsync(new Uri("/score", UriKind.Relative), new { candidates });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}\nServer output:\n{app.Output}");
        return JsonSerializer.Deserialize<ScoreResponse>(body, JsonSerializerOptions.Web)!.Predictions;
    }

    private static async Task<(string Status, JsonElement Data)> Health(HttpClient http)
    {
        using var health = JsonDocument.Parse(await http.GetStringAsync(new Uri("/health", UriKind.Relative)));
        var check = health.RootElement.GetProperty("checks").GetProperty("modeldsl-VideoRanker");
        return (health.RootElement.GetProperty("status").GetString()!, check.GetProperty("data").Clone());
    }

    /// <summary>Waits until the server serves the file with this hash.</summary>
    private static Task ServedFile(HttpClient http, string sha256) =>
        HealthWhen(http, h => h.Data.GetProperty("fileSha256").GetString() == sha256, $"load the file with SHA-256 {sha256}");

    /// <summary>Waits until the health report meets <paramref name="condition"/>, failing after a minute (a bound, not a timing).</summary>
    private static async Task<(string Status, JsonElement Data)> HealthWhen(HttpClient http, Func<(string Status, JsonElement Data), bool> condition, string what)
    {
        for (var waited = TimeSpan.Zero; ; waited += TimeSpan.FromMilliseconds(50))
        {
            var health = await Health(http);
            if (condition(health))
                return health;
            Assert.True(waited < TimeSpan.FromMinutes(1), $"The server did not {what} within a minute.");
            await Task.Delay(50);
        }
    }

    private static async Task<string> Metrics(HttpClient http) => await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

    private static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    private static VideoRanker.Features[] Candidates(Random random, int count) =>
        Enumerable.Range(0, count)
            .Select(_ => new VideoRanker.Features(UserId: random.Next(500), VideoId: random.Next(300), HourOfDay: random.Next(24), VideoAgeDays: (float)(random.NextDouble() * 60)))
            .ToArray();

    private sealed record ScoreResponse(VideoRanker.Prediction[] Predictions);
}
