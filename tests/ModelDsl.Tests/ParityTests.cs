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
}
