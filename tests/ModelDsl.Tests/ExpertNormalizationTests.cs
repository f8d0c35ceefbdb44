using System;
using System.Linq;
using ModelDsl.Layers;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// HoME's expert normalization: batch statistics and PyTorch's running-statistics update in training, the running
/// statistics in evaluation, a one-sample batch left to the running statistics, Swish after it, and a trainer that
/// refuses a batch of one for a model with normalized experts.
/// </summary>
public sealed class ExpertNormalizationTests
{
    [Fact]
    public void TrainingNormalizesWithTheBatchAndMovesTheRunningStatisticsByMomentum()
    {
        using var normalization = new ExpertNormalization("n", 3);
        normalization.train();
        // Columns of very different scales and means, as HoME saw between experts.
        using var input = randn(64, 3) * tensor(new[] { 0.1f, 1f, 50f }) + tensor(new[] { 5f, -1f, 100f });

        using var output = normalization.forward(input);

        AssertClose(new double[3], output.mean([0]), 1e-5);
        // Unit variance but for ε: v / (v + 1e-5) with v the batch's biased variance.
        using var variance = input.var(0, unbiased: false);
        AssertClose(variance / (variance + 1e-5), output.var(0, unbiased: false), 1e-4);
        var state = normalization.state_dict();
        AssertClose(input.mean([0]) * 0.1, state["runningMean"], 1e-5);
        AssertClose(input.var(0, unbiased: true) * 0.1 + 0.9, state["runningVariance"], 1e-4);
    }

    [Fact]
    public void EvaluationAndABatchOfOneUseTheRunningStatisticsAndLeaveThem()
    {
        using var normalization = new ExpertNormalization("n", 2);
        var state = normalization.state_dict();
        using (no_grad())
        {
            state["runningMean"].copy_(tensor(new[] { 1f, -2f }));
            state["runningVariance"].copy_(tensor(new[] { 4f, 0.25f }));
            state["weight"].copy_(tensor(new[] { 2f, 1f }));
            state["bias"].copy_(tensor(new[] { 0f, 3f }));
        }
        using var sample = tensor(new[] { 3f, -1f }, [1, 2]);
        var expected = new[] { 2 * (3 - 1) / Math.Sqrt(4 + 1e-5), (-1 + 2) / Math.Sqrt(0.25 + 1e-5) + 3 };

        normalization.eval();
        AssertClose(expected, normalization.forward(sample), 1e-5);
        normalization.train();
        AssertClose(expected, normalization.forward(sample), 1e-5);

        AssertClose([1, -2], state["runningMean"], 0);
        AssertClose([4, 0.25], state["runningVariance"], 0);
    }

    [Fact]
    public void NormalizedExpertsGoThroughSwishOfTheirNormalizedLastLayer()
    {
        using var experts = new ExpertGroup("e", 5, 3, [4, 2], RegularizationSettings.None, normalize: true);
        experts.eval();
        using var input = randn(8, 5);
        var state = experts.state_dict();
        using (no_grad())
        {
            state["normalization.runningMean"].uniform_(-1, 1);
            state["normalization.runningVariance"].uniform_(0.5, 2);
        }

        using var output = experts.forward(input).Activated();

        // By hand: first layer ReLU, second layer per expert without a bias (the normalization's shift replaces it),
        // then (x − mean)/√(var + ε) and x·σ(x).
        Assert.DoesNotContain("biases.0", state.Keys);
        using var hidden = nn.functional.relu(nn.functional.linear(input, state["first.weight"], state["first.bias"])).reshape(8, 3, 4);
        using var last = einsum("bei,eio->beo", hidden, state["weights.0"]);
        using var normalized = (last.reshape(8, 6) - state["normalization.runningMean"]) / (state["normalization.runningVariance"] + 1e-5).sqrt();
        using var expected = (normalized * normalized.sigmoid()).reshape(8, 3, 2);
        Assert.True(output.allclose(expected, rtol: 1e-5, atol: 1e-6), "normalized experts differ from the formula");
        Assert.Equal([8, 3, 2], output.shape);
    }

    [Fact]
    public void TrainerRefusesABatchOfOneForNormalizedExperts()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new NormalizedMmoeModel.Trainer(new TrainingOptions { BatchSize = 1 }));
        Assert.Contains("ExpertNormalization", e.Message, StringComparison.Ordinal);
        Assert.Contains("BatchSize", e.Message, StringComparison.Ordinal);
        using var plain = new MmoeModel.Trainer(new TrainingOptions { BatchSize = 1 });
        using var two = new NormalizedMmoeModel.Trainer(new TrainingOptions { BatchSize = 2 });
    }

    private static void AssertClose(double[] expected, Tensor actual, double tolerance)
    {
        var values = actual.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < values.Length; i++)
            Assert.True(Math.Abs(values[i] - expected[i]) <= tolerance, $"[{i}]: {values[i]} vs {expected[i]}");
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance) =>
        AssertClose(expected.detach().to_type(ScalarType.Float64).data<double>().ToArray(), actual, tolerance);
}
