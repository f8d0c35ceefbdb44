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

    public ServingApp()
    {
        ModelPath = Path.Combine(_work.FullName, "video-ranker.onnx");
        try
        {
            DemoModel.TrainAndExport(ModelPath);
            // Port 0: Kestrel picks a free port and logs it, so parallel runs cannot collide.
            _server = ChildProcess.Start(AppContext.BaseDirectory, "dotnet", "Serving.dll", "--model", ModelPath, "--urls", "http://127.0.0.1:0");
            var line = _server.WaitForLine(l => l.Contains("Now listening on: ", StringComparison.Ordinal), TimeSpan.FromMinutes(1));
            BaseAddress = new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Trim());
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string ModelPath { get; }

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
    public async Task HealthNamesTheServedSpec()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        using var health = JsonDocument.Parse(await http.GetStringAsync(new Uri("/health", UriKind.Relative)));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        Assert.Equal(VideoRanker.Schema.Fingerprint, health.RootElement.GetProperty("fingerprint").GetString());
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

    [Fact]
    public async Task BodyOverKestrelsLimitIsAnswered413WithTheReason()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        // The server answers before reading the body, so the client must wait for that answer before sending it.
        http.DefaultRequestHeaders.ExpectContinue = true;
        var body = "{\"candidates\":[" + string.Join(',', Enumerable.Repeat("""{"userId":1,"videoId":1,"hourOfDay":2,"videoAgeDays":3}""", 600_000)) + "]}";
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/score", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("too large", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>ASP.NET Core would read any --key into configuration: a typo must not quietly serve the demo model.</summary>
    [Theory]
    [InlineData("--modle", "model.onnx", "Unknown option '--modle'.")]
    [InlineData("model.onnx", null, "Unexpected argument 'model.onnx'.")]
    [InlineData("--MaxCandidates", "-1", "--MaxCandidates is '-1'; it must be a whole number of at least 1.")]
    [InlineData("--MaxCandidates=abc", null, "--MaxCandidates is 'abc'; it must be a whole number of at least 1.")]
    [InlineData("--model", null, "Option '--model' needs a value.")]
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

    private static VideoRanker.Features[] Candidates(Random random, int count) =>
        Enumerable.Range(0, count)
            .Select(_ => new VideoRanker.Features(UserId: random.Next(500), VideoId: random.Next(300), HourOfDay: random.Next(24), VideoAgeDays: (float)(random.NextDouble() * 60)))
            .ToArray();

    private sealed record ScoreResponse(VideoRanker.Prediction[] Predictions);
}
