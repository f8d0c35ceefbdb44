// Serves an exported VideoRanker (the Quickstart's spec) over HTTP through ModelDsl.Hosting. POST /score scores a
// request's candidates (small concurrent requests are micro-batched into one ONNX Runtime run); the model file is
// watched, and a new one (the Quickstart's export replaces it atomically) is checked and swapped in without
// dropping a request; GET /health reports the model, its file and the last reload error; GET /metrics is Prometheus.
//   dotnet run --project examples/Serving -c Release -- --model /absolute/path/to/video-ranker.onnx
// (dotnet run starts a web project in its own folder, so a relative path is taken from examples/Serving.)
// Without --model it first trains a small demo model on synthetic data (a few seconds).
using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelDsl;
using ModelDsl.Hosting;
using OpenTelemetry.Metrics;
using Quickstart;
using Serving;

if (ServerArguments.Problem(args) is { } problem)
{
    Console.Error.WriteLine(problem);
    Console.Error.WriteLine(ServerArguments.Usage);
    return 2;
}
// appsettings.json beside the binary, wherever the server is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var modelPath = builder.Configuration["Model"];
if (modelPath is null)
{
    modelPath = Path.Combine(AppContext.BaseDirectory, "demo-video-ranker.onnx");
    Console.WriteLine($"No --model given: training a demo model into {modelPath}.");
    DemoModel.TrainAndExport(modelPath);
}
var maxCandidates = builder.Configuration.GetValue("MaxCandidates", 10_000);
// A body too large for the candidate limit is refused before it is read, not parsed and then refused.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = ScoreLimits.MaxBodyBytes(maxCandidates));

builder.Services.AddPredictor(path => new VideoRanker.Predictor(path), options =>
{
    options.Path = modelPath;
    options.MicroBatching.Enabled = builder.Configuration.GetValue("MicroBatching", true);
});
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(PredictorTelemetry.MeterName).AddPrometheusExporter());
builder.Services.AddProblemDetails();
// A candidate without some feature would silently be scored with 0 for it: require every feature. A key
// given twice would silently score its last value: refuse it (docs/data.md, JSON).
builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.TypeInfoResolver = json.SerializerOptions.TypeInfoResolver!.WithAddedModifier(RequireAllFeatures);
    json.SerializerOptions.AllowDuplicateProperties = false;
});

var app = builder.Build();
// Open the model before listening, so a missing or mismatched file stops the server at once.
PredictorPool<VideoRanker.Features, VideoRanker.Prediction> pool;
try
{
    pool = app.Services.GetRequiredService<PredictorPool<VideoRanker.Features, VideoRanker.Prediction>>();
}
catch (Exception e) when (e is FileNotFoundException or ModelFileException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
Console.WriteLine($"Serving {pool.Current.Name} (fingerprint {pool.Current.Fingerprint}) from {pool.Path}; it reloads when the file is replaced.");

app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthResponse.Write });
app.MapPrometheusScrapingEndpoint();
app.MapPost("/score", async (HttpRequest http) =>
{
    // Read the body here rather than by parameter binding, so a bad request is told what is wrong.
    if (!http.HasJsonContentType())
        return Results.Problem("Send the candidates as application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType);
    ScoreRequest? request;
    try
    {
        request = await http.ReadFromJsonAsync<ScoreRequest>(http.HttpContext.RequestAborted);
    }
    catch (JsonException e)
    {
        // Some messages (a missing required feature) leave out where in the body the problem is.
        var where = e.Path is { } path && !e.Message.Contains(path, StringComparison.Ordinal) ? $" (at {path})" : "";
        return Results.Problem(e.Message + where, statusCode: StatusCodes.Status400BadRequest);
    }
    catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
    {
        return Results.Problem(
            $"The body is over {ScoreLimits.MaxBodyBytes(maxCandidates)} bytes, the most {maxCandidates} candidates may take ({ScoreLimits.BytesPerCandidate} bytes each); it was not read.",
            statusCode: e.StatusCode);
    }
    catch (BadHttpRequestException e)
    {
        return Results.Problem(e.Message, statusCode: e.StatusCode);
    }
    catch (InvalidOperationException e)
    {
        // An application/json content type with a charset .NET does not know.
        return Results.Problem(e.Message, statusCode: StatusCodes.Status415UnsupportedMediaType);
    }
    if (request?.Candidates is not { } candidates)
        return Results.Problem("The body needs a \"candidates\" array.", statusCode: StatusCodes.Status400BadRequest);
    if (candidates.Length > maxCandidates)
        return Results.Problem($"At most {maxCandidates} candidates per request, got {candidates.Length}.", statusCode: StatusCodes.Status400BadRequest);
    var predictions = new VideoRanker.Prediction[candidates.Length];
    try
    {
        await pool.PredictAsync(candidates, predictions);
    }
    catch (ModelDataException e)
    {
        return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
    }
    catch (NonFiniteOutputException e)
    {
        // JSON has no NaN or infinity: say which output of which candidate, rather than fail while writing the answer.
        return Results.Problem(e.Message, statusCode: StatusCodes.Status500InternalServerError, title: "The model answered a value that is not a finite number.",
            extensions: [new("output", e.Output), new("candidate", e.Candidate)]);
    }
    return Results.Ok(new ScoreResponse(predictions));
});
app.Run();
return 0;

static void RequireAllFeatures(JsonTypeInfo type)
{
    if (type.Type == typeof(VideoRanker.Features))
    {
        foreach (var property in type.Properties)
            property.IsRequired = true;
    }
}

internal sealed record ScoreRequest(VideoRanker.Features[]? Candidates);

internal sealed record ScoreResponse(VideoRanker.Prediction[] Predictions);
