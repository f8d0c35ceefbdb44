using System;
using System.IO;
using System.Linq;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>Numeric array features take Size columns each, in declaration order, checked for length and finiteness.</summary>
public sealed class VectorFeatureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-vector-").FullName;

    [Fact]
    public void ArraysFillTheirColumnsInOrder()
    {
        Assert.Equal(8, VectorModel.Schema.NumericCount);
        var numeric = new float[8];
        var categorical = new long[1];
        new VectorModel.Features(Price: 9, Embedding: [1, 2, 3, 4], Slot: 3, Counts: [5, 6, 7]).Encode(categorical, numeric);
        Assert.Equal([9f, 1, 2, 3, 4, 5, 6, 7], numeric);
        Assert.Equal([3L], categorical);
    }

    [Fact]
    public void WrongLengthAndNonFiniteValuesNameTheMember()
    {
        var error = Assert.Throws<ModelDataException>(() => Encode(new VectorModel.Features(1, [1, 2, 3], 0, [1, 2, 3])));
        Assert.Equal("VectorModel.Embedding has 3 values; it must have exactly 4 (its Size).", error.Message);
        error = Assert.Throws<ModelDataException>(() => Encode(new VectorModel.Features(1, [1, 2, 3, 4], 0, [1, double.NaN, 3])));
        Assert.Equal("VectorModel.Counts[1] = NaN is not a finite number.", error.Message);
        error = Assert.Throws<ModelDataException>(() => Encode(new VectorModel.Features(1, null!, 0, [1, 2, 3])));
        Assert.Contains("VectorModel.Embedding has no array", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainsExportsAndMatchesOnnx()
    {
        var random = new Random(2);
        var samples = Enumerable.Range(0, 400).Select(_ =>
        {
            var embedding = Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble()).ToArray();
            return new VectorModel
            {
                Price = (float)random.NextDouble(), Embedding = embedding, Slot = random.Next(5),
                Counts = [random.Next(3), random.Next(3), random.Next(3)], Click = embedding[0] > 0.5,
            };
        }).ToList();
        using var trainer = new VectorModel.Trainer(new TrainingOptions { Epochs = 10, BatchSize = 32, LearningRate = 1e-2 });
        var report = trainer.Fit(samples);
        Assert.True(report.Final["Click"].Auc > 0.8, $"AUC {report.Final["Click"].Auc}");
        var path = Path.Combine(_folder, "vector.onnx");
        trainer.ExportOnnx(path);
        Parity.Check(trainer.Network, path);
        using var predictor = new VectorModel.Predictor(path);
        Assert.InRange(predictor.Predict(samples[0].ToFeatures()).Click, 0f, 1f);
    }

    private static void Encode(VectorModel.Features features) => features.Encode(new long[1], new float[8]);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
