using System.Linq;
using ModelDsl.Kernels;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// The fused layers of ReLU experts (<see cref="ExpertLayers"/>) against the same products, biases and ReLUs as LibTorch
/// operations: the last layer's product and the gradients of the input and of every weight and bias.
/// </summary>
public class ExpertLayersTests
{
    [Theory]
    [InlineData(7, 4, new[] { 128, 64 }, 136)]   // the reference MMoE's shape (batch cut down)
    [InlineData(5, 3, new[] { 13, 7 }, 9)]       // odd sizes: vector tails
    [InlineData(6, 2, new[] { 8, 5, 3 }, 4)]     // a middle layer in [experts, batch, units]
    [InlineData(1, 3, new[] { 17, 6, 5, 2 }, 3)] // one sample, two middle layers
    public void ProductsAndGradientsMatchLibTorch(int batch, int experts, int[] units, int inputWidth)
    {
        manual_seed(11);
        using var scope = NewDisposeScope();
        var input = randn(batch, inputWidth).requires_grad_();
        var firstWeight = randn(experts * units[0], inputWidth).requires_grad_();
        var firstBias = randn(experts * units[0]).requires_grad_();
        var weights = units.Skip(1).Select((u, l) => randn(experts, units[l], u).requires_grad_()).ToArray();
        var biases = units.Skip(1).SkipLast(1).Select(u => randn(experts, u).requires_grad_()).ToArray();
        Tensor[] inputs = [input, firstWeight, firstBias, .. weights, .. biases];
        var upstream = randn(experts, batch, units[^1]);

        var fused = ExpertLayers.apply([.. inputs]);
        var reference = Reference(input, firstWeight, firstBias, weights, biases, experts, units[0]);

        Assert.Equal(reference.shape, fused.shape);
        Assert.True(fused.allclose(reference, rtol: 1e-5, atol: 1e-4));
        var fusedGradients = autograd.grad([(fused * upstream).sum()], inputs);
        var referenceGradients = autograd.grad([(reference * upstream).sum()], inputs);
        for (var i = 0; i < inputs.Length; i++)
            Assert.True(fusedGradients[i].allclose(referenceGradients[i], rtol: 1e-5, atol: 1e-4), $"gradient of input {i}");
    }

    [Fact]
    public void AnInputWithoutGradientGetsNone()
    {
        // Numbers alone feed the experts: no gradient of the input is asked for, so none is computed.
        manual_seed(12);
        using var scope = NewDisposeScope();
        var input = randn(5, 6);
        var firstWeight = randn(3 * 8, 6).requires_grad_();
        var firstBias = randn(3 * 8).requires_grad_();
        var weight = randn(3, 8, 4).requires_grad_();
        var fused = ExpertLayers.apply(input, firstWeight, firstBias, weight);
        fused.sum().backward();
        Assert.Null(input.grad);
        var reference = Reference(input, firstWeight, firstBias, [weight], [], 3, 8);
        var expected = autograd.grad([reference.sum()], [firstWeight, firstBias, weight]);
        Assert.True(firstWeight.grad!.allclose(expected[0], rtol: 1e-5, atol: 1e-5));
        Assert.True(firstBias.grad!.allclose(expected[1], rtol: 1e-5, atol: 1e-5));
        Assert.True(weight.grad!.allclose(expected[2], rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void WithoutGradientsTheLayersAreNotRecordedAndReadAStridedInput()
    {
        manual_seed(13);
        using var scope = NewDisposeScope();
        var input = randn(6, 5).t();   // [5, 6] as a transposed view
        var firstWeight = randn(2 * 7, 6).requires_grad_();
        var firstBias = randn(2 * 7).requires_grad_();
        var weight = randn(2, 7, 3).requires_grad_();
        using (no_grad())
        {
            var output = ExpertLayers.Compute(input, firstWeight, firstBias, [weight], []);
            Assert.False(output.requires_grad);
            Assert.True(output.allclose(Reference(input, firstWeight, firstBias, [weight], [], 2, 7), rtol: 1e-5, atol: 1e-5));
        }
    }

    [Fact]
    public void NaNPropagatesThroughTheFirstLayerAsThroughLibTorchsRelu()
    {
        // Divergence is detected from a NaN loss: the fused ReLU must not turn a NaN into 0.
        using var scope = NewDisposeScope();
        var input = full(2, 3, float.NaN);
        var output = ExpertLayers.Compute(input, ones(2 * 4, 3), zeros(2 * 4), [ones(2, 4, 2)], []);
        Assert.True(output.isnan().all().item<bool>());
    }

    /// <summary>The experts as LibTorch operations, up to the last layer's product: [experts, batch, units].</summary>
    private static Tensor Reference(Tensor input, Tensor firstWeight, Tensor firstBias, Tensor[] weights, Tensor[] biases, int experts, int units)
    {
        var x = nn.functional.relu(nn.functional.linear(input, firstWeight, firstBias)).reshape(-1, experts, units).transpose(0, 1);
        for (var layer = 0; layer < weights.Length - 1; layer++)
            x = nn.functional.relu(matmul(x, weights[layer]) + biases[layer].unsqueeze(1));
        return matmul(x, weights[^1]);
    }
}
