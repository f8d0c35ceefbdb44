using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using ModelDsl.Training;
using TorchSharp;
using Xunit;

namespace ModelDsl.Hosting.Tests;

/// <summary>A spec with a multiclass task: its Prediction holds the most likely class and a float array beside the floats.</summary>
[MultiTaskModel]
[SharedBottom(8)]
public partial class GenreRanker
{
    [Categorical(Vocabulary = 10, Dim = 4)] public long ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask] public bool Click { get; init; }
    [MulticlassTask(Classes = 3)] public int Genre { get; init; }
}

[Trait("Category", "Hosting")]
public sealed class MulticlassPoolTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-hosting-multiclass-").FullName;

    [Fact]
    public void APoolServesTheClassAndItsProbabilitiesAndAnswersThemAsJson()
    {
        var path = Path.Combine(_folder, "genre.onnx");
        using (var trainer = new GenreRanker.Trainer(new TrainingOptions { Seed = 1 }))
            trainer.ExportOnnx(path);
        using var pool = new PredictorPool<GenreRanker.Features, GenreRanker.Prediction>(p => new GenreRanker.Predictor(p), new() { Path = path, WatchFile = false });
        using var direct = new GenreRanker.Predictor(path);
        GenreRanker.Features[] candidates = [new(ItemId: 1, Price: 0.5f), new(ItemId: 7, Price: 2f)];

        var answers = new GenreRanker.Prediction[2];
        pool.Predict(candidates, answers);
        for (var i = 0; i < candidates.Length; i++)
        {
            var expected = direct.Predict(candidates[i]);
            Assert.Equal(expected.GenreProbabilities, answers[i].GenreProbabilities);
            Assert.Equal((expected.Click, expected.Genre), (answers[i].Click, answers[i].Genre));
            Assert.Equal(Array.IndexOf(answers[i].GenreProbabilities, answers[i].GenreProbabilities.Max()), answers[i].Genre);
        }
        var json = JsonDocument.Parse(JsonSerializer.Serialize(answers[0])).RootElement;
        Assert.Equal(answers[0].Genre, json.GetProperty("Genre").GetInt32());
        Assert.Equal(answers[0].GenreProbabilities, json.GetProperty("GenreProbabilities").EnumerateArray().Select(e => e.GetSingle()));
    }

    /// <summary>NaN weights make every class probability NaN: the answer is refused naming the probabilities' output.</summary>
    [Fact]
    public void ANonFiniteClassProbabilityIsRefusedNamingItsOutput()
    {
        var path = Path.Combine(_folder, "nan.onnx");
        using (var trainer = new GenreRanker.Trainer(new TrainingOptions { Seed = 1 }))
        {
            using (torch.no_grad())
                trainer.Network.named_parameters().Single(p => p.name == "tower_Genre.output.bias").parameter.fill_(float.NaN);
            trainer.ExportOnnx(path);
        }
        var error = Assert.Throws<ModelFileException>(() =>
            new PredictorPool<GenreRanker.Features, GenreRanker.Prediction>(p => new GenreRanker.Predictor(p), new() { Path = path, WatchFile = false }));
        Assert.Contains("for output 'GenreProbabilities' of probe candidate 0", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
