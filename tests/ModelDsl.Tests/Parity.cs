using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelDsl.Layers;
using ModelDsl.Onnx;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// Compares every output (every class probability of a multiclass task) of an exported model, run by ONNX Runtime, with the TorchSharp network in
/// evaluation mode on the same random inputs (ids drawn within each vocabulary, sequences of random
/// length padded with −1, numbers in [−0.9, 3], inside Log1p's domain).
/// Within 1e-5 absolute for values up to 1 (probabilities), relative beyond: float32 resolves
/// odds like e^4 ≈ 55 only to about 4e-6.
/// </summary>
internal static class Parity
{
    public const double Tolerance = 1e-5;

    public static void Check(MultiTaskNetwork network, string onnxPath, int rows = 300, int seed = 5)
    {
        var (categorical, numeric) = RandomInputs(network.Schema, rows, seed);
        Check(network, onnxPath, categorical, numeric, rows);
    }

    /// <summary>Random encoded inputs of <paramref name="rows"/> rows, row-major, as <see cref="Check(MultiTaskNetwork, string, int, int)"/> draws them.</summary>
    public static (long[] Categorical, float[] Numeric) RandomInputs(ModelSchema schema, int rows, int seed)
    {
        var random = new Random(seed);
        var categorical = new long[rows * schema.CategoricalCount];
        var features = schema.Features.Where(f => f.Kind == FeatureKind.Categorical).ToArray();
        for (var r = 0; r < rows; r++)
            foreach (var f in features)
            {
                // A sequence holds 0 … Size ids, then padding.
                var length = f.Size == 1 ? 1 : random.Next(f.Size + 1);
                for (var i = 0; i < f.Size; i++)
                    categorical[r * schema.CategoricalCount + f.Column + i] = i < length ? random.Next(f.Vocabulary) : FeatureValues.Padding;
            }
        var numeric = Enumerable.Range(0, rows * schema.NumericCount).Select(_ => (float)(random.NextDouble() * 3.9 - 0.9)).ToArray();
        return (categorical, numeric);
    }

    /// <summary>Compares on given encoded inputs, row-major.</summary>
    public static void Check(MultiTaskNetwork network, string onnxPath, long[] categorical, float[] numeric, int rows)
    {
        var schema = network.Schema;
        using var expected = network.Predict(tensor(categorical, [rows, schema.CategoricalCount]), tensor(numeric, [rows, schema.NumericCount]));
        var torch = expected.data<float>().ToArray();

        using var session = new InferenceSession(onnxPath);
        var inputs = new List<NamedOnnxValue>();
        if (schema.CategoricalCount > 0)
            inputs.Add(NamedOnnxValue.CreateFromTensor(OnnxMetadata.CategoricalInput, new DenseTensor<long>(categorical, [rows, schema.CategoricalCount])));
        if (schema.NumericCount > 0)
            inputs.Add(NamedOnnxValue.CreateFromTensor(OnnxMetadata.NumericInput, new DenseTensor<float>(numeric, [rows, schema.NumericCount])));
        using var results = session.Run(inputs);
        Assert.Equal(schema.Outputs.Select(o => o.Name), results.Select(r => r.Name));
        for (var o = 0; o < schema.Outputs.Count; o++)
        {
            // Class probabilities are [rows, width], row-major; the served columns hold them side by side.
            var (onnx, width) = (results[o].AsEnumerable<float>().ToArray(), schema.Outputs[o].Width);
            Assert.Equal(rows * width, onnx.Length);
            for (var i = 0; i < rows; i++)
                for (var k = 0; k < width; k++)
                {
                    var expectedValue = torch[i * schema.ServedColumns + schema.OutputColumns[o] + k];
                    var served = onnx[i * width + k];
                    Assert.True(Math.Abs(served - expectedValue) <= Tolerance * Math.Max(1, Math.Abs(expectedValue)),
                        $"{schema.Name}.{schema.Outputs[o].Name}{(width > 1 ? $"[{k}]" : "")} row {i}: ONNX {served} vs TorchSharp {expectedValue}");
                }
        }
    }
}
