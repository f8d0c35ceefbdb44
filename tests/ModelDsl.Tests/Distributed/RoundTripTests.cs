using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// Weights trained under DDP come back to C# unchanged in meaning: <c>Trainer.Load</c> → <c>ExportOnnx</c> →
/// <c>Predictor</c> serves what PyTorch's forward serves on them within 1e-5, and a truncated or tampered
/// file written by Python is refused like any other weights file.
/// </summary>
public sealed class RoundTripTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-roundtrip-").FullName;

    [Fact]
    public void WeightsTrainedUnderDdpServeFromOnnxAsPyTorchServes()
    {
        var options = new TrainingOptions { BatchSize = 64, Epochs = 1, LearningRate = 1e-2 };
        using var trainer = new StepParityModel.Trainer(options);
        var samples = StepParityModel.Samples(256, seed: 8);
        var run = DdpRun.Prepare(_folder, trainer, options, samples);
        var trained = Path.Combine(_folder, "trained.weights");
        run.Launch(2, "--output", trained);

        trainer.Load(trained);
        var onnx = Path.Combine(_folder, "model.onnx");
        trainer.ExportOnnx(onnx);
        using var predictor = new StepParityModel.Predictor(onnx);
        var features = samples.Take(50).Select(s => s.ToFeatures()).ToArray();
        var served = new StepParityModel.Prediction[features.Length];
        predictor.Predict(features, served);

        var schema = StepParityModel.Schema;
        var categorical = new long[features.Length * schema.CategoricalCount];
        var numeric = new float[features.Length * schema.NumericCount];
        for (var i = 0; i < features.Length; i++)
            features[i].Encode(categorical.AsSpan(i * schema.CategoricalCount, schema.CategoricalCount), numeric.AsSpan(i * schema.NumericCount, schema.NumericCount));
        File.WriteAllBytes(Path.Combine(_folder, "categorical.bin"), MemoryMarshal.AsBytes(categorical.AsSpan()).ToArray());
        File.WriteAllBytes(Path.Combine(_folder, "numeric.bin"), MemoryMarshal.AsBytes(numeric.AsSpan()).ToArray());
        PythonRuntime.Run(run.Bundle, ForwardScript, run.Bundle, trained, _folder, $"{features.Length}");

        var expected = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(_folder, "served.bin"))).ToArray();
        // Each prediction's outputs side by side, a multiclass task's probabilities one column per class, as PyTorch serves them.
        var members = schema.Outputs.Select(o => typeof(StepParityModel.Prediction).GetProperty(o.Name)!).ToArray();
        var actual = served.SelectMany(p => members.SelectMany(m => m.GetValue(p) is float[] values ? values : [(float)m.GetValue(p)!])).ToArray();
        var names = schema.Outputs.SelectMany(o => Enumerable.Repeat(o.Name, o.Width)).ToArray();
        Assert.Equal(features.Length * schema.ServedColumns, expected.Length);
        for (var v = 0; v < expected.Length; v++)
            Assert.True(Math.Abs(actual[v] - expected[v]) <= 1e-5 * Math.Max(1, Math.Abs(expected[v])),
                $"{names[v % names.Length]} of sample {v / names.Length}: ONNX {actual[v]}, PyTorch {expected[v]}");

        // Cut short, or one byte changed: refused, and the loaded weights stay as they were.
        var bytes = File.ReadAllBytes(trained);
        var truncated = Path.Combine(_folder, "truncated.weights");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Contains("is truncated or damaged", Assert.Throws<ModelFileException>(() => trainer.Load(truncated)).Message, StringComparison.Ordinal);
        bytes[bytes.Length / 2] ^= 0x40;
        var tampered = Path.Combine(_folder, "tampered.weights");
        File.WriteAllBytes(tampered, bytes);
        Assert.Contains("its checksum does not match its content", Assert.Throws<ModelFileException>(() => trainer.Load(tampered)).Message, StringComparison.Ordinal);
    }

    // PyTorch's served outputs for the encoded features, from the weights Python wrote.
    private const string ForwardScript = """
        import os, sys
        import numpy as np, torch
        from modeldsl import load_spec, build_network, read_weights
        bundle, weights, folder, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        spec = load_spec(os.path.join(bundle, "spec.json"))
        network = build_network(spec)
        network.load_state_dict(read_weights(weights, spec))
        categorical = torch.from_numpy(np.fromfile(os.path.join(folder, "categorical.bin"), dtype="<i8").reshape(rows, spec.categorical_columns))
        numeric = torch.from_numpy(np.fromfile(os.path.join(folder, "numeric.bin"), dtype="<f4").reshape(rows, spec.numeric_columns))
        network.predict(categorical, numeric).numpy().astype("<f4").tofile(os.path.join(folder, "served.bin"))
        """;

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
