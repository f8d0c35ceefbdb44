using System;
using System.Linq;
using ModelDsl.Tests.Models;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>The exported ONNX graph computes what the TorchSharp network computes.</summary>
public class ParityTests(TrainedModelFixture model) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void OnnxRuntimeMatchesTorchSharpOnRandomInputs()
    {
        var random = new Random(3);
        var features = Enumerable.Range(0, 500).Select(_ => new ClickWatchModel.Features(
            UserId: random.Next(200), ItemId: random.Next(100), DayOfWeek: random.Next(7),
            Price: (float)(random.NextDouble() * 4 - 2))).ToArray();

        var categorical = new long[features.Length * 3];
        var numeric = new float[features.Length];
        for (var i = 0; i < features.Length; i++)
            features[i].Encode(categorical.AsSpan(i * 3, 3), numeric.AsSpan(i, 1));
        using var expected = model.Trainer.Network.Predict(tensor(categorical, [features.Length, 3]), tensor(numeric, [features.Length, 1]));
        var torchOutputs = expected.data<float>().ToArray();

        using var predictor = new ClickWatchModel.Predictor(model.OnnxPath);
        var batch = new ClickWatchModel.Prediction[features.Length];
        predictor.Predict(features, batch);
        for (var i = 0; i < features.Length; i++)
        {
            var single = predictor.Predict(features[i]);
            Assert.Equal(batch[i], single);
            Assert.True(Math.Abs(torchOutputs[i * 2] - batch[i].Click) <= 1e-5, $"Click of candidate {i}: {torchOutputs[i * 2]} vs {batch[i].Click}");
            Assert.True(Math.Abs(torchOutputs[i * 2 + 1] - batch[i].WatchMinutes) <= 1e-5, $"WatchMinutes of candidate {i}: {torchOutputs[i * 2 + 1]} vs {batch[i].WatchMinutes}");
        }
        Assert.Contains(batch, p => p.Click is > 0.01f and < 0.99f);
    }

    /// <summary>
    /// <c>Trainer.Predict</c> gives the TorchSharp network's outputs as typed predictions, in batches (here a last short
    /// one), from samples or from features, in order: the ONNX predictor agrees to 1e-5.
    /// </summary>
    [Fact]
    public void TrainerPredictMatchesTheOnnxPredictor()
    {
        var samples = model.Validation.Take(1_000).ToArray();   // 3 batches of 256 and one of 232
        var eager = model.Trainer.Predict(samples);
        Assert.Equal(eager, model.Trainer.Predict(samples.Select(s => s.ToFeatures())));

        using var predictor = new ClickWatchModel.Predictor(model.OnnxPath);
        var served = new ClickWatchModel.Prediction[samples.Length];
        predictor.Predict(samples.Select(s => s.ToFeatures()).ToArray(), served);
        Assert.Equal(samples.Length, eager.Length);
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.True(Math.Abs(eager[i].Click - served[i].Click) <= 1e-5, $"Click of sample {i}: TorchSharp {eager[i].Click} vs ONNX {served[i].Click}");
            Assert.True(Math.Abs(eager[i].WatchMinutes - served[i].WatchMinutes) <= 1e-5 * Math.Max(1, Math.Abs(served[i].WatchMinutes)),
                $"WatchMinutes of sample {i}: TorchSharp {eager[i].WatchMinutes} vs ONNX {served[i].WatchMinutes}");
        }
        Assert.True(eager.Select(p => p.Click).Distinct().Count() > 100, "the predictions differ per sample");

        // A value the model cannot take names the candidate; no candidates, no predictions.
        var error = Assert.Throws<ModelDataException>(() => model.Trainer.Predict([samples[0].ToFeatures(), samples[1].ToFeatures() with { UserId = 10_000 }]));
        Assert.StartsWith("candidate at index 1: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(model.Trainer.Predict(Array.Empty<ClickWatchModel.Features>()));
    }
}
