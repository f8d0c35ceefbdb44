// Serves an exported VideoRanker (the Quickstart's spec) over HTTP with the generated Predictor,
// which is thread-safe: one instance serves every request. POST /score scores a request's
// candidates in one ONNX Runtime call; GET /health names the model being served.
//   dotnet run --project examples/Serving -c Release -- --model /absolute/path/to/video-ranker.onnx
// (dotnet run starts a web project in its own folder, so a relative path is taken from examples/Serving.)
// Without --model it first trains a small demo model on synthetic data (a few seconds).
using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelDsl;
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

builder.Services.AddSingleton(_ => new VideoRanker.Predictor(modelPath));
builder.Services.AddProblemDetails();
// A candidate without some feature would silently be scored with 0 for it: require every feature.
builder.Services.ConfigureHttpJsonOptions(json =>
    json.SerializerOptions.TypeInfoResolver = json.SerializerOptions.TypeInfoResolver!.WithAddedModifier(RequireAllFeatures));

var app = builder.Build();
// Open the model before listening, so a missing or mismatched file stops the server at once.
VideoRanker.Predictor predictor;
try
{
    predictor = app.Services.GetRequiredService<VideoRanker.Predictor>();
}
catch (Exception e) when (e is FileNotFoundException or ModelFileException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
Console.WriteLine($"Serving {predictor.Schema.Name} (fingerprint {predictor.Schema.Fingerprint}) from {Path.GetFullPath(modelPath)}.");

app.MapGet("/health", () => new Health("ok", predictor.Schema.Name, predictor.Schema.Fingerprint));
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
    catch (BadHttpRequestException e)
    {
        // Kestrel's own limits, such as a body over 30 MB (413).
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
        predictor.Predict(candidates, predictions);
    }
    catch (ModelDataException e)
    {
        return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
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

internal sealed record Health(string Status, string Model, string Fingerprint);
