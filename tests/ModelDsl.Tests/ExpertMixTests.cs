using System;
using ModelDsl.Kernels;
using ModelDsl.Layers;
using ModelDsl.Tests.Models;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>The fused CPU mix of experts (<see cref="ExpertMix"/>) against the same mix as LibTorch operations: values and both gradients.</summary>
public class ExpertMixTests
{
    [Theory]
    [InlineData(7, 2, 4, 64)]   // the reference MMoE's shape, units a multiple of the vector width
    [InlineData(5, 3, 3, 13)]   // odd sizes: vector tails
    public void FusedMixEqualsBroadcastMix(int batch, int gates, int experts, int units)
    {
        manual_seed(4);
        using var scope = NewDisposeScope();
        var logits = randn(batch, gates, experts);
        var expertValues = randn(batch, experts, units);
        var upstream = randn(batch, gates, units);

        var (fused, fusedWeightsGradient, fusedExpertsGradient) = MixAndGradients(logits, expertValues, upstream, fused: true);
        var (reference, weightsGradient, expertsGradient) = MixAndGradients(logits, expertValues, upstream, fused: false);

        Assert.True(fused.allclose(reference, rtol: 1e-5, atol: 1e-6));
        Assert.True(fusedWeightsGradient.allclose(weightsGradient, rtol: 1e-5, atol: 1e-6));
        Assert.True(fusedExpertsGradient.allclose(expertsGradient, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void NonContiguousExpertsAreRead()
    {
        manual_seed(5);
        using var scope = NewDisposeScope();
        var weights = softmax(randn(4, 2, 3), -1);
        var transposed = randn(3, 4, 8).transpose(0, 1);   // [batch, experts, units] as a strided view
        Assert.True(ExpertMix.apply(weights, transposed).allclose(GateGroup.BroadcastMix(weights, transposed), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void WithoutGradientsTheMixIsNotRecorded()
    {
        manual_seed(6);
        using var scope = NewDisposeScope();
        var weights = softmax(randn(3, 2, 4), -1).requires_grad_();
        var experts = randn(3, 4, 16).requires_grad_();
        using (no_grad())
        {
            var mixed = ExpertMix.Compute(weights, experts);
            Assert.False(mixed.requires_grad);
            Assert.True(mixed.allclose(GateGroup.BroadcastMix(weights, experts), rtol: 1e-5, atol: 1e-6));
        }
    }

    [Fact]
    public void ExpertsOfTheWrongShapeAreRejected()
    {
        using var scope = NewDisposeScope();
        using var gates = new GateGroup("gates", inputWidth: 5, gates: 2, experts: 4, units: [], ClickWatchModel.Schema.Regularization);
        var error = Assert.Throws<ArgumentException>(() => gates.Mix(randn(3, 5), randn(3, 2, 8)));
        Assert.Contains("[batch 3, experts 4, units]; got [3, 2, 8]", error.Message, StringComparison.Ordinal);
    }

    private static (Tensor Mixed, Tensor WeightsGradient, Tensor ExpertsGradient) MixAndGradients(Tensor logits, Tensor experts, Tensor upstream, bool fused)
    {
        var l = logits.detach().clone().requires_grad_();
        var x = experts.detach().clone().requires_grad_();
        var weights = softmax(l, -1);
        var mixed = fused ? ExpertMix.apply(weights, x) : GateGroup.BroadcastMix(weights, x);
        (mixed * upstream).sum().backward();
        return (mixed.detach(), l.grad!, x.grad!);
    }
}
