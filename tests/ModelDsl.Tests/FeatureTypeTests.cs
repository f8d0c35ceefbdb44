using System;
using System.IO;
using System.Linq;
using ModelDsl.Layers;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>
/// Sequences (padding, truncation, empty, each pooling), shared embedding groups, hashed strings,
/// out-of-vocabulary policies and numeric transforms: encoded identically for training and serving,
/// learned from, and equal in ONNX Runtime and TorchSharp.
/// </summary>
public sealed class FeatureTypeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-features-").FullName;
    private static readonly int Columns = FeatureTypesModel.Schema.CategoricalCount;

    [Fact]
    public void StableHashIsFnv1a64()
    {
        // Published FNV-1a 64 test vectors.
        Assert.Equal(0xcbf29ce484222325UL, StableHash.Of(""));
        Assert.Equal(0xaf63dc4c8601ec8cUL, StableHash.Of("a"));
        Assert.Equal(0x85944171f73967e8UL, StableHash.Of("foobar"));
        Assert.Equal((long)(0x85944171f73967e8UL % 100), StableHash.Index("foobar", 100));
        Assert.InRange(StableHash.Index(-5, 10), 0, 9);
    }

    [Fact]
    public void SequencesArePaddedTruncatedAndHashed()
    {
        var (ids, _) = Encode(Sample() with { RecentItems = [3, 4], Tags = [], Queries = ["a", "b", "c", "d"] });
        var layout = FeatureTypesModel.Schema.Features.ToDictionary(f => f.Name);
        Assert.Equal(Columns, layout.Values.Where(f => f.Kind == FeatureKind.Categorical).Sum(f => f.Size));
        Assert.Equal([3L, 4, -1, -1, -1], Slice(ids, layout["RecentItems"]));
        Assert.Equal([-1L, -1, -1, -1], Slice(ids, layout["Tags"]));
        // KeepLast: the three most recent queries, hashed.
        Assert.Equal(new[] { "b", "c", "d" }.Select(q => StableHash.Index(q, 64)), Slice(ids, layout["Queries"]));
        Assert.Equal(StableHash.Index("fr", 100), ids[layout["Country"].Column]);
    }

    [Fact]
    public void OutOfVocabularyPoliciesMapOrReject()
    {
        var layout = FeatureTypesModel.Schema.Features.ToDictionary(f => f.Name);
        var (ids, _) = Encode(Sample() with { City = 99, Device = 12345 });
        Assert.Equal(10, ids[layout["City"].Column]);
        Assert.Equal(StableHash.Index(12345, 10), ids[layout["Device"].Column]);
        (ids, _) = Encode(Sample() with { City = 7, Device = 3 });
        Assert.Equal(7, ids[layout["City"].Column]);
        Assert.Equal(3, ids[layout["Device"].Column]);

        var error = Assert.Throws<ModelDataException>(() => Encode(Sample() with { RecentItems = [1, 40] }));
        Assert.Equal("FeatureTypesModel.RecentItems[1] = 40 is outside its vocabulary: ids must be in [0, 40).", error.Message);
        error = Assert.Throws<ModelDataException>(() => Encode(Sample() with { Tags = [1, 2, 3, 4, 5] }));
        Assert.Equal("FeatureTypesModel.Tags has 5 values, more than its MaxLength of 4; shorten it or set Truncation = KeepFirst or KeepLast.", error.Message);
        error = Assert.Throws<ModelDataException>(() => Encode(Sample() with { RecentItems = null! }));
        Assert.StartsWith("FeatureTypesModel.RecentItems is null", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ModelDataException>(() => Encode(Sample() with { Country = null! }));
        Assert.StartsWith("FeatureTypesModel.Country is null", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ModelDataException>(() => Encode(Sample() with { WatchCount = -2 }));
        Assert.Equal("FeatureTypesModel.WatchCount = -2 is outside the domain of Log1p: values must be greater than -1.", error.Message);
        error = Assert.Throws<ModelDataException>(() => Encode(Sample() with { Counts = [0, -1] }));
        Assert.StartsWith("FeatureTypesModel.Counts[1] = -1 is outside the domain of Log1p", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The domain was checked on the double, the float kept: −0.99999999 passed and became −1, whose Log1p is −∞.</summary>
    [Fact]
    public void Log1pDomainIsCheckedOnTheFloatTheNetworkGets()
    {
        var error = Assert.Throws<ModelDataException>(() => FeatureValues.Numeric(-0.99999999, "Model.Count", NumericTransform.Log1p));
        Assert.Equal("Model.Count = -0.99999999 is outside the domain of Log1p: values must be greater than -1, and as a 32-bit float it is -1.", error.Message);
        error = Assert.Throws<ModelDataException>(() => FeatureValues.Numeric([0, -0.99999999], new float[2], "Model.Counts", NumericTransform.Log1p));
        Assert.StartsWith("Model.Counts[1] = -0.99999999 is outside the domain of Log1p", error.Message, StringComparison.Ordinal);
        Assert.Equal(-0.9999f, FeatureValues.Numeric(-0.9999, "Model.Count", NumericTransform.Log1p));
    }

    [Fact]
    public void ValuesBeyondFloatRangeAreNotFinite()
    {
        var error = Assert.Throws<ModelDataException>(() => FeatureValues.Numeric(1e300, "Model.Price"));
        Assert.Equal("Model.Price = 1E+300 is not a finite number as a 32-bit float (beyond ±3.4e38).", error.Message);
        error = Assert.Throws<ModelDataException>(() => FeatureValues.Numeric([1.0, -1e40], new float[2], "Model.Prices"));
        Assert.StartsWith("Model.Prices[1] = -1E+40 is not a finite number as a 32-bit float", error.Message, StringComparison.Ordinal);
        Assert.Equal("Model.Price = NaN is not a finite number.", Assert.Throws<ModelDataException>(() => FeatureValues.Numeric(double.NaN, "Model.Price")).Message);
        Assert.Equal(3e38f, FeatureValues.Numeric(3e38, "Model.Price"));
    }

    [Fact]
    public void AGroupSharesOneTableSegment()
    {
        using var network = new FeatureTypesModel.Network();
        var tables = network.modules().OfType<EmbeddingGroup>().ToDictionary(g => g.Dim, g => g.Weight.shape[0]);
        Assert.Equal(40 + 100, tables[8]); // item group once, country
        Assert.Equal(30 + 64 + 11 + 10, tables[4]); // tags, queries, city with its reserved row, device
    }

    [Fact]
    public void LearnsFromSequencesTrainsStatisticsOnceAndMatchesOnnx()
    {
        var train = FeatureTypeSamples.Generate(3000, seed: 1);
        var validation = FeatureTypeSamples.Generate(1000, seed: 2);
        using var trainer = new FeatureTypesModel.Trainer(new TrainingOptions { Epochs = 6, BatchSize = 64, LearningRate = 1e-2 });
        var report = trainer.Fit(train, validation);
        // The true click probability ranks validation samples with this AUC; a model that ignored the
        // sequences would sit near 0.5.
        var oracle = new Metrics.BinaryMetrics();
        foreach (var s in validation)
            oracle.Add((float)FeatureTypeSamples.TrueProbability(s), s.Click ? 1 : 0);
        Assert.True(report.Final["Click"].Auc > oracle.Auc - 0.04, $"click AUC {report.Final["Click"].Auc}, true probabilities {oracle.Auc}");

        // Standardize statistics come from the training data (after Log1p) and stay put on the next Fit.
        var meanAge = train.Average(s => s.Age);
        Assert.Equal(meanAge, MeanOf(trainer.Network, column: 1), 3);
        Assert.Equal(train.Average(s => Math.Log(1 + s.WatchCount)), MeanOf(trainer.Network, column: 0), 3);
        trainer.Fit(train.Take(100).Select(s => s with { Age = s.Age + 1000 }).ToList());
        Assert.Equal(meanAge, MeanOf(trainer.Network, column: 1), 3);

        var onnx = Path.Combine(_folder, "features.onnx");
        trainer.ExportOnnx(onnx);
        Parity.Check(trainer.Network, onnx, rows: 400);
        // Encoded real samples too: hashed strings, reserved and hashed ids, truncated sequences.
        var rows = validation.Take(300).Select(s => s with { Tags = s.Tags.Take(4).ToArray() }).ToList();
        var categorical = new long[rows.Count * Columns];
        var numeric = new float[rows.Count * FeatureTypesModel.Schema.NumericCount];
        for (var i = 0; i < rows.Count; i++)
            rows[i].ToFeatures().Encode(categorical.AsSpan(i * Columns, Columns), numeric.AsSpan(i * 4, 4));
        Parity.Check(trainer.Network, onnx, categorical, numeric, rows.Count);

        // The predictor encodes with the same code path as the trainer.
        using var predictor = new FeatureTypesModel.Predictor(onnx);
        var batch = new FeatureTypesModel.Prediction[rows.Count];
        predictor.Predict(rows.Select(r => r.ToFeatures()).ToArray(), batch);
        using var expected = trainer.Network.Predict(TorchSharp.torch.tensor(categorical, [rows.Count, Columns]), TorchSharp.torch.tensor(numeric, [rows.Count, 4]));
        for (var i = 0; i < rows.Count; i++)
            Assert.True(Math.Abs(expected[i, 0].item<float>() - batch[i].Click) <= Parity.Tolerance, $"row {i}");
    }

    [Fact]
    public void StatisticsAreSavedWithTheWeights()
    {
        using var trainer = new FeatureTypesModel.Trainer(new TrainingOptions { Epochs = 1, BatchSize = 64 });
        trainer.Fit(FeatureTypeSamples.Generate(200, seed: 3));
        var path = Path.Combine(_folder, "features.weights");
        trainer.Save(path);
        using var loaded = new FeatureTypesModel.Trainer();
        Assert.True(loaded.Network.modules().OfType<NumericTransforms>().Single().NeedsStatistics);
        loaded.Load(path);
        Assert.False(loaded.Network.modules().OfType<NumericTransforms>().Single().NeedsStatistics);
        Assert.Equal(MeanOf(trainer.Network, 1), MeanOf(loaded.Network, 1));
    }

    private static FeatureTypesModel Sample() => new()
    {
        ItemId = 1, RecentItems = [1, 2], Tags = [3], Queries = ["q"], Country = "fr", City = 1, Device = 1,
        WatchCount = 3, Age = 30, Counts = [1, 2],
    };

    private static (long[] Ids, float[] Numbers) Encode(FeatureTypesModel sample)
    {
        var ids = new long[Columns];
        var numbers = new float[FeatureTypesModel.Schema.NumericCount];
        sample.ToFeatures().Encode(ids, numbers);
        return (ids, numbers);
    }

    private static long[] Slice(long[] ids, FeatureInfo feature) => ids.AsSpan(feature.Column, feature.Size).ToArray();

    private static double MeanOf(MultiTaskNetwork network, int column)
    {
        var transforms = network.modules().OfType<NumericTransforms>().Single();
        return transforms.named_buffers().Single(b => b.name == "mean").buffer[column].item<float>();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
