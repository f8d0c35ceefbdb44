using System;
using System.Collections.Generic;
using System.IO;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>Every kind of bad input fails with a typed exception whose message names what is wrong and where.</summary>
public sealed class BadDataTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-bad-").FullName;

    private static List<NumericLabelModel> Good() =>
    [
        new() { ItemId = 1, Price = 2, Converted = 1, Revenue = 3 },
        new() { ItemId = 2, Price = 1, Converted = 0, Revenue = 0 },
    ];

    [Theory]
    [InlineData(double.NaN, "NumericLabelModel.Price = NaN is not a finite number")]
    [InlineData(double.PositiveInfinity, "NumericLabelModel.Price = Infinity is not a finite number")]
    public void NonFiniteNumericFeature(double price, string expected)
    {
        var samples = Good();
        samples.Add(new NumericLabelModel { ItemId = 1, Price = price, Converted = 1 });
        var error = Fit(samples);
        Assert.Equal($"training sample at index 2: {expected}.", error.Message);
    }

    [Fact]
    public void OutOfVocabularyId() =>
        Assert.Equal("training sample at index 2: NumericLabelModel.ItemId = 10 is outside its vocabulary: ids must be in [0, 10).",
            Fit([.. Good(), new NumericLabelModel { ItemId = 10 }]).Message);

    [Fact]
    public void NegativeId() =>
        Assert.Contains("NumericLabelModel.ItemId = -1 is outside its vocabulary", Fit([new NumericLabelModel { ItemId = -1 }]).Message, StringComparison.Ordinal);

    [Fact]
    public void BinaryLabelOutsideZeroOne() =>
        Assert.Equal("training sample at index 1: NumericLabelModel.Converted = 0.5 is not a binary label: it must be 0 or 1.",
            Fit([Good()[0], new NumericLabelModel { ItemId = 1, Converted = 0.5f }]).Message);

    [Fact]
    public void NonFiniteRegressionLabel() =>
        Assert.Contains("NumericLabelModel.Revenue = NaN is not a finite label", Fit([new NumericLabelModel { Revenue = double.NaN }]).Message, StringComparison.Ordinal);

    [Fact]
    public void RegressionLabelBeyondTheFloatRange() =>
        Assert.Equal("training sample at index 2: NumericLabelModel.Revenue = 1E+300 is not a finite label as a 32-bit float (beyond ±3.4e38).",
            Fit([.. Good(), new NumericLabelModel { ItemId = 1, Revenue = 1e300 }]).Message);

    [Theory]
    [InlineData(1e300, "1E+300 is not a valid sample weight: it must be finite as a 32-bit float (beyond ±3.4e38) and not negative")]
    [InlineData(double.PositiveInfinity, "Infinity is not a valid sample weight: it must be finite and not negative")]
    public void SampleWeightBeyondTheFloatRange(double weight, string problem) =>
        Assert.Equal($"Model.Weight = {problem}.", Assert.Throws<ModelDataException>(() => FeatureValues.SampleWeight(weight, "Model.Weight")).Message);

    [Fact]
    public void NegativeSampleWeight() =>
        Assert.Contains("NumericLabelModel.Weight = -1 is not a valid sample weight", Fit([new NumericLabelModel { Weight = -1 }]).Message, StringComparison.Ordinal);

    [Fact]
    public void BadValidationSampleIsNamedAsSuch()
    {
        using var trainer = new NumericLabelModel.Trainer(new TrainingOptions { Epochs = 1 });
        var error = Assert.Throws<ModelDataException>(() => trainer.Fit(Good(), [new NumericLabelModel { ItemId = 99 }]));
        Assert.StartsWith("validation sample at index 0: NumericLabelModel.ItemId = 99", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(64)]
    public void EmptyTrainingSetNamesTheArgument(int? streamChunkRows)
    {
        using var trainer = new NumericLabelModel.Trainer(new TrainingOptions { Epochs = 1, StreamChunkRows = streamChunkRows });
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit([]));
        Assert.Equal("train", error.ParamName);
        Assert.StartsWith("The training samples are empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyValidationSetNamesTheArgument()
    {
        using var trainer = new NumericLabelModel.Trainer(new TrainingOptions { Epochs = 1 });
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(Good(), []));
        Assert.Equal("validation", error.ParamName);
        Assert.StartsWith("The validation samples are empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(64)]
    public void EmptyEvaluationSetNamesTheArgument(int? streamChunkRows)
    {
        using var trainer = new NumericLabelModel.Trainer(new TrainingOptions { StreamChunkRows = streamChunkRows });
        Assert.Equal("samples", Assert.Throws<ArgumentException>(() => trainer.Evaluate([])).ParamName);
    }

    [Fact]
    public void TruncatedWeightsFile()
    {
        var path = Path.Combine(_folder, "weights.bin");
        using (var trainer = new NumericLabelModel.Trainer())
            trainer.Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        using var fresh = new NumericLabelModel.Trainer();
        var error = Assert.Throws<ModelFileException>(() => fresh.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated or damaged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WeightsOfAnotherSpec()
    {
        var path = Path.Combine(_folder, "other.bin");
        using (var other = new OtherModel.Trainer())
            other.Save(path);
        using var trainer = new NumericLabelModel.Trainer();
        var error = Assert.Throws<ModelFileException>(() => trainer.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(NumericLabelModel.Schema.Fingerprint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WeightsRoundTrip()
    {
        var path = Path.Combine(_folder, "weights.bin");
        using var trainer = new NumericLabelModel.Trainer(new TrainingOptions { Epochs = 2, Seed = 3 });
        trainer.Fit(Good());
        trainer.Save(path);
        using var reloaded = new NumericLabelModel.Trainer(new TrainingOptions { Seed = 4 });
        reloaded.Load(path);
        Assert.Equal(trainer.Evaluate(Good())[0].LogLoss, reloaded.Evaluate(Good())[0].LogLoss);
    }

    [Fact]
    public void NotAWeightsFile()
    {
        var path = Path.Combine(_folder, "random.bin");
        File.WriteAllText(path, "hello");
        using var trainer = new NumericLabelModel.Trainer();
        var error = Assert.Throws<ModelFileException>(() => trainer.Load(path));
        Assert.Contains($"'{path}' is not a ModelDsl weights file", error.Message, StringComparison.Ordinal);
    }

    private static ModelDataException Fit(List<NumericLabelModel> samples)
    {
        using var trainer = new NumericLabelModel.Trainer(new TrainingOptions { Epochs = 1 });
        return Assert.Throws<ModelDataException>(() => trainer.Fit(samples));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
