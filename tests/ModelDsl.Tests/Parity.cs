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
/// Compares every output of an exported model, run by ONNX Runtime, with the TorchSharp network in
/// evaluation mode on the same random inputs (ids drawn within each vocabulary, numbers in [−3, 3]).
/// Within 1e-5 absolute for values up to 1 (probabilities), relative beyond: float32 resolves
/// odds like e^4 ≈ 55 only to about 4e-6.
/// </summary>
internal static class Parity
{
    public const double Tolerance = 1e-5;

    public static void Check(MultiTaskNetwork network, string onnxPath, int rows = 300, int seed = 5)
    {
        var schema = network.Schema;
        var random = new Random(seed);
        var vocabularies = schema.Features.Where(f => f.Kind == FeatureKind.Categorical).OrderBy(f => f.Column).Select(f => f.Vocabulary).ToArray();
        var categorical = new long[rows * vocabularies.Length];
        for (var i = 0; i < categorical.Length; i++)
            categorical[i] = random.Next(vocabularies[i % vocabularies.Length]);
        var numeric = Enumerable.Range(0, rows * schema.NumericCount).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();

        using var expected = network.Predict(tensor(categorical, [rows, vocabularies.Length]), tensor(numeric, [rows, schema.NumericCount]));
        var torch = expected.data<float>().ToArray();

        using var session = new InferenceSession(onnxPath);
        var inputs = new List<NamedOnnxValue>();
        if (vocabularies.Length > 0)
            inputs.Add(NamedOnnxValue.CreateFromTensor(OnnxMetadata.CategoricalInput, new DenseTensor<long>(categorical, [rows, vocabularies.Length])));
        if (schema.NumericCount > 0)
            inputs.Add(NamedOnnxValue.CreateFromTensor(OnnxMetadata.NumericInput, new DenseTensor<float>(numeric, [rows, schema.NumericCount])));
        using var results = session.Run(inputs);
        Assert.Equal(schema.Outputs.Select(o => o.Name), results.Select(r => r.Name));
        for (var o = 0; o < schema.Outputs.Count; o++)
        {
            var onnx = results[o].AsEnumerable<float>().ToArray();
            Assert.Equal(rows, onnx.Length);
            for (var i = 0; i < rows; i++)
            {
                var expectedValue = torch[i * schema.Outputs.Count + o];
                var difference = Math.Abs(onnx[i] - expectedValue);
                Assert.True(difference <= Tolerance * Math.Max(1, Math.Abs(expectedValue)),
                    $"{schema.Name}.{schema.Outputs[o].Name} row {i}: ONNX {onnx[i]} vs TorchSharp {expectedValue}");
            }
        }
    }
}
