using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using ModelDsl.Metrics;
using ModelDsl.Tests.Data;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// Multiclass tasks (<see cref="MulticlassTaskAttribute"/>) in every architecture: they learn the known structure of
/// <see cref="MulticlassData"/> well beyond predicting the majority class or the label frequencies, export, match
/// TorchSharp in ONNX Runtime within 1e-5 on every class probability, and serve the most likely class; bad labels are
/// refused naming where they are.
/// </summary>
public sealed class MulticlassTests(ITestOutputHelper output) : IDisposable
{
    private static readonly MulticlassData Data = new(seed: 3);
    private static readonly TrainingOptions Options = new() { Epochs = 4, BatchSize = 256, LearningRate = 1e-2, Seed = 5, Threads = 1 };
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-multiclass-").FullName;

    public static TheoryData<string> Architectures => new(nameof(MulticlassBottomModel), nameof(MulticlassMmoeModel), nameof(MulticlassOmoeModel), nameof(MulticlassPleModel));

    [Theory]
    [MemberData(nameof(Architectures))]
    public void LearnsBeyondTheBaselinesAndServesWhatItTrains(string model)
    {
        switch (model)
        {
            case nameof(MulticlassBottomModel):
                Check(new MulticlassBottomModel.Trainer(Options), p => new MulticlassBottomModel.Predictor(p), Bottom, (p, r) => { var x = p.Predict(r.ToFeatures()); return (x.Genre, x.GenreProbabilities); });
                break;
            case nameof(MulticlassMmoeModel):
                Check(new MulticlassMmoeModel.Trainer(Options), p => new MulticlassMmoeModel.Predictor(p),
                    r => new MulticlassMmoeModel { UserId = r.User, ItemId = r.Item, Price = r.Price, Genre = r.Genre, PriceBand = r.PriceBand, Weight = r.Weight, Click = r.Click },
                    (p, r) => { var x = p.Predict(r.ToFeatures()); return (x.Genre, x.GenreProbabilities); });
                break;
            case nameof(MulticlassOmoeModel):
                Check(new MulticlassOmoeModel.Trainer(Options), p => new MulticlassOmoeModel.Predictor(p),
                    r => new MulticlassOmoeModel { UserId = r.User, ItemId = r.Item, Price = r.Price, Genre = r.Genre, PriceBand = r.PriceBand, Weight = r.Weight, Click = r.Click },
                    (p, r) => { var x = p.Predict(r.ToFeatures()); return (x.Genre, x.GenreProbabilities); });
                break;
            default:
                Check(new MulticlassPleModel.Trainer(Options), p => new MulticlassPleModel.Predictor(p),
                    r => new MulticlassPleModel { UserId = r.User, ItemId = r.Item, Price = r.Price, Genre = r.Genre, PriceBand = r.PriceBand, Weight = r.Weight, Click = r.Click },
                    (p, r) => { var x = p.Predict(r.ToFeatures()); return (x.Genre, x.GenreProbabilities); });
                break;
        }
    }

    private static MulticlassBottomModel Bottom(MulticlassRow r) =>
        new() { UserId = r.User, ItemId = r.Item, Price = r.Price, Genre = r.Genre, PriceBand = r.PriceBand, Weight = r.Weight, Click = r.Click };

    private void Check<TModel, TPredictor>(ModelTrainer<TModel> trainer, Func<string, TPredictor> open, Func<MulticlassRow, TModel> sample,
        Func<TPredictor, TModel, (Genre Class, float[] Probabilities)> predict)
        where TPredictor : IDisposable
    {
        using (trainer)
        {
            var validation = Data.Rows(3_000, seed: 2);
            var report = trainer.Fit(Data.Rows(12_000, seed: 1).Select(sample), validation.Select(sample));
            output.WriteLine(report.ToString());

            var genre = report.Final["Genre"];
            var (majority, frequencies) = Baselines(validation.Select(r => (int)r.Genre), 4);
            output.WriteLine($"Genre baselines: majority accuracy {majority:F3}, log loss of the label frequencies {frequencies:F3}");
            Assert.Equal(TaskKind.Multiclass, genre.Kind);
            Assert.True(genre.Accuracy >= majority + 0.25, $"genre accuracy {genre.Accuracy} vs majority {majority}");
            Assert.True(genre.LogLoss < 0.75 * frequencies, $"genre log loss {genre.LogLoss} vs label frequencies {frequencies}");
            Assert.True(genre.Auc >= 0.8, $"genre macro AUC {genre.Auc}");
            Assert.True(genre.LogLoss < report.Epochs[0]["Genre"].LogLoss, "genre log loss did not fall over training");
            var band = report.Final["PriceBand"];
            var (bandMajority, bandFrequencies) = Baselines(validation.Select(r => r.PriceBand), 3);
            Assert.True(band.Accuracy >= bandMajority + 0.3, $"price band accuracy {band.Accuracy} vs majority {bandMajority}");
            Assert.True(band.LogLoss < 0.6 * bandFrequencies, $"price band log loss {band.LogLoss} vs label frequencies {bandFrequencies}");
            Assert.Contains("Genre: accuracy ", report.Final.ToString(), StringComparison.Ordinal);

            var path = Path.Combine(_folder, $"{trainer.Schema.Name}.onnx");
            trainer.ExportOnnx(path);
            Parity.Check(trainer.Network, path);
            using var predictor = open(path);
            var served = validation.Take(500).Select(r => predict(predictor, sample(r))).ToList();
            Assert.All(served, p =>
            {
                Assert.Equal(4, p.Probabilities.Length);
                Assert.Equal(1, p.Probabilities.Sum(), 1e-5);
                Assert.Equal(Array.IndexOf(p.Probabilities, p.Probabilities.Max()), (int)p.Class);
            });
            // The served class is the evaluation's: about the same share of the first 500 rows is right (a near tie may fall either way within 1e-5).
            var right = served.Zip(validation).Count(x => x.First.Class == x.Second.Genre);
            Assert.InRange(right / 500.0 - trainer.Evaluate(validation.Take(500).Select(sample)).Single(m => m.Task == "Genre").Accuracy!.Value, -0.004, 0.004);
        }
    }

    /// <summary>Accuracy of always predicting the most frequent class, and the log loss of predicting the label frequencies (their entropy).</summary>
    private static (double Majority, double Frequencies) Baselines(IEnumerable<int> labels, int classes)
    {
        var counts = new double[classes];
        foreach (var label in labels)
            counts[label]++;
        var total = counts.Sum();
        return (counts.Max() / total, -counts.Where(c => c > 0).Sum(c => c / total * Math.Log(c / total)));
    }

    /// <summary>The open-time check takes class probabilities as [batch, classes], and only with the spec's classes.</summary>
    [Fact]
    public void AClassProbabilitiesOutputOfAnotherWidthIsRefusedWhenOpened()
    {
        var path = Path.Combine(_folder, "wide.onnx");
        using (var trainer = new MulticlassBottomModel.Trainer(Options))
            trainer.ExportOnnx(path);
        using (new MulticlassBottomModel.Predictor(path))
        {
        }
        // Genre's output computed as PriceBand's 3 probabilities, and declared so (ONNX Runtime reports the shape it infers).
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var output = model.Graph.Output.Single(o => o.Name == "GenreProbabilities");
        Assert.Equal(4, output.Type.TensorType.Shape.Dim[1].DimValue);
        model.Graph.Node.Single(n => n.Output.Single() == output.Name).Input[0] = model.Graph.Node.Single(n => n.Output.Single() == "PriceBandProbabilities").Input[0];
        output.Type.TensorType.Shape.Dim[1] = new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = 3 };
        ModelIntegrityTests.Reseal(path, model);
        var error = Assert.Throws<ModelFileException>(() => new MulticlassBottomModel.Predictor(path));
        Assert.Equal($"ONNX model '{path}' declares output 'GenreProbabilities' as Float [batch, 3], not Float [batch, 4]: the probability of each of its 4 classes per candidate.", error.Message);
    }

    [Fact]
    public void MetricsByHand()
    {
        var metrics = new MulticlassMetrics(3);
        metrics.Add([0.7f, 0.2f, 0.1f], 0);
        metrics.Add([0.1f, 0.3f, 0.6f], 1);
        metrics.Add([0.2f, 0.2f, 0.6f], 2);
        metrics.Add([0.5f, 0.4f, 0.1f], 1);
        Assert.Equal(0.5, metrics.Accuracy);
        Assert.Equal(-(Math.Log(0.7f) + Math.Log(0.3f) + Math.Log(0.6f) + Math.Log(0.4f)) / 4, metrics.LogLoss, 12);
        // One vs rest: class 0 ranks its one positive (0.7) above 0.1, 0.2, 0.5: 1. Class 1: positives 0.3 and 0.4 over
        // negatives 0.2 and 0.2: 1. Class 2: positive 0.6 over 0.1 and 0.1, tied with 0.6: (2 + 0.5) / 3.
        Assert.Equal((1 + 1 + 2.5 / 3) / 3, metrics.Auc, 12);
    }

    [Fact]
    public void MacroAucLeavesOutClassesThatNeverOccur()
    {
        var metrics = new MulticlassMetrics(3);
        metrics.Add([0.6f, 0.3f, 0.1f], 0);
        metrics.Add([0.2f, 0.7f, 0.1f], 1);
        Assert.Equal(1, metrics.Auc);
        metrics.Add([float.NaN, float.NaN, float.NaN], 1);
        Assert.True(double.IsNaN(metrics.Auc));
    }

    [Fact]
    public void LossIsSoftmaxCrossEntropyWeightedPerSample()
    {
        TaskInfo[] tasks =
        [
            new("Click", TaskKind.Binary, 1),
            new("Genre", TaskKind.Multiclass, 1, Classes: 4),
            new("Band", TaskKind.Multiclass, 1, Weighting: SampleWeighting.All, Classes: 3),
            new("Watch", TaskKind.Regression, 1),
        ];
        // A new schema, not `with`: its task columns are computed from the tasks at construction.
        var s = MulticlassBottomModel.Schema;
        var schema = new ModelSchema(s.Name, s.Fingerprint, s.Features, tasks, s.Outputs, s.Regularization);
        manual_seed(11);
        using var scope = NewDisposeScope();
        var outputs = randn(32, 9);
        var labels = stack([rand(32).round(), randint(0, 4, [32]).to(ScalarType.Float32), randint(0, 3, [32]).to(ScalarType.Float32), rand(32)], 1);
        var weights = ones(32, 4);
        weights[.., 2] = rand(32) * 3;
        using var loss = new TaskLoss(schema, CPU);

        var actual = loss.Compute(outputs, labels, weights).data<float>().ToArray();

        var genre = nn.functional.cross_entropy(outputs.narrow(1, 1, 4), labels[.., 1].to(ScalarType.Int64)).item<float>();
        var band = (weights[.., 2] * nn.functional.cross_entropy(outputs.narrow(1, 5, 3), labels[.., 2].to(ScalarType.Int64), reduction: nn.Reduction.None)).mean().item<float>();
        float[] expected =
        [
            nn.functional.binary_cross_entropy_with_logits(outputs[.., 0], labels[.., 0]).item<float>(), genre, band,
            nn.functional.mse_loss(outputs[.., 8], labels[.., 3]).item<float>(),
        ];
        Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) <= 1e-6f * Math.Max(1, Math.Abs(a)));
    }

    [Fact]
    public void ALabelOutOfRangeInMemoryNamesTheMemberAndValue()
    {
        using var trainer = new MulticlassBottomModel.Trainer(Options);
        var rows = Data.Rows(3, seed: 1);
        var genre = Assert.Throws<ModelDataException>(() => trainer.Fit([Bottom(rows[0]), Bottom(rows[1] with { Genre = (Genre)4 })]));
        Assert.Equal("training sample at index 1: MulticlassBottomModel.Genre = 4 is not a class: it must be at least 0 and less than 4 (Classes).", genre.Message);
        var band = Assert.Throws<ModelDataException>(() => trainer.Fit([Bottom(rows[0]), Bottom(rows[1]), Bottom(rows[2] with { PriceBand = -1 })]));
        Assert.Equal("training sample at index 2: MulticlassBottomModel.PriceBand = -1 is not a class: it must be at least 0 and less than 3 (Classes).", band.Message);
    }

    [Theory]
    [InlineData("Genre", "4", "4 is not a class: it must be at least 0 and less than 4 (Classes)")]
    [InlineData("PriceBand", "3", "3 is not a class: it must be at least 0 and less than 3 (Classes)")]
    [InlineData("PriceBand", "-2", "-2 is not a class: it must be at least 0 and less than 3 (Classes)")]
    [InlineData("Genre", "Comedy", "'Comedy' is not an integer")]
    public void ALabelOutOfRangeInACsvFileNamesFileRowColumnAndValue(string column, string value, string problem)
    {
        var path = Path.Combine(_folder, "bad.csv");
        string Row(string genre, string band) => $"1,2,0.5,{genre},{band},1,0";
        File.WriteAllLines(path, ["UserId,ItemId,Price,Genre,PriceBand,Weight,Click", Row("1", "2"),
            column == "Genre" ? Row(value, "0") : Row("0", value)]);
        var error = Assert.Throws<ModelDataException>(() => MulticlassBottomModel.ReadCsv(path).ToList());
        Assert.Equal($"{path}, row 2, column '{column}': {problem}.", error.Message);
    }

    [Fact]
    public void ALabelOutOfRangeInAParquetFileNamesFileRowColumnAndValue()
    {
        var path = Path.Combine(_folder, "bad.parquet");
        DataFiles.WriteParquet(path, new[] { new ParquetRow(1, 2, 0.5f, 3, 1, 1, true), new ParquetRow(1, 2, 0.5f, 7, 1, 1, false) });
        var error = Assert.Throws<ModelDataException>(() => MulticlassBottomModel.ReadParquet(path).ToList());
        Assert.Equal($"{path}, row 2, column 'Genre': 7 is not a class: it must be at least 0 and less than 4 (Classes).", error.Message);
    }

    /// <summary>A row of the model's columns as Parquet.Net writes them.</summary>
    public sealed record ParquetRow(int UserId, int ItemId, float Price, int Genre, int PriceBand, float Weight, bool Click);

    [Fact]
    public void EarlyStoppingOnTheMacroAucNeedsTwoClassesInValidation()
    {
        using var trainer = new MulticlassBottomModel.Trainer(Options with { EarlyStopping = new EarlyStopping("Genre") });
        var rows = Data.Rows(20, seed: 1);
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(rows.Select(Bottom), rows.Select(r => Bottom(r with { Genre = Genre.Action }))));
        Assert.Contains("all 20 samples are class 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictionsSerializeTheClassAndItsProbabilities()
    {
        var prediction = new MulticlassBottomModel.Prediction(Genre.Action, [0.1f, 0.2f, 0.6f, 0.1f], 2, [0.2f, 0.3f, 0.5f], 0.25f);
        Assert.Equal("""{"Genre":2,"GenreProbabilities":[0.1,0.2,0.6,0.1],"PriceBand":2,"PriceBandProbabilities":[0.2,0.3,0.5],"Click":0.25}""",
            JsonSerializer.Serialize(prediction));
        Assert.Equal(["GenreProbabilities", "PriceBandProbabilities", "Click"], MulticlassBottomModel.Schema.Outputs.Select(o => o.Name));
        Assert.Equal([4, 3, 1], MulticlassBottomModel.Schema.Outputs.Select(o => o.Width));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
