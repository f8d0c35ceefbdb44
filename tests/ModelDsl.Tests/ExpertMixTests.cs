using System;
using System.Linq;
using ModelDsl.Kernels;
using ModelDsl.Layers;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// The fused CPU mix of experts (<see cref="ExpertMix"/>: gates' softmax, the experts' deferred bias and ReLU, the mix)
/// against the same computation as LibTorch operations: values and every gradient.
/// </summary>
public class ExpertMixTests
{
    private static readonly RegularizationSettings Relu = new(0, 0, 0, Activation.Relu);

    [Theory]
    [InlineData(7, 2, 4, 64)]   // the reference MMoE's shape, units a multiple of the vector width
    [InlineData(5, 3, 3, 13)]   // odd sizes: vector tails
    public void ActivatedExpertsMixAsSoftmaxAndBroadcastProduct(int batch, int gates, int experts, int units)
    {
        manual_seed(4);
        using var scope = NewDisposeScope();
        var scores = randn(batch, gates, experts).requires_grad_();
        var values = randn(batch, experts, units).requires_grad_();
        var upstream = randn(batch, gates, units);

        var fused = ExpertMix.apply(scores, values, null);
        var reference = GateGroup.BroadcastMix(softmax(scores, -1), values);

        AssertSameWithGradients(fused, reference, upstream, scores, values);
    }

    [Theory]
    [InlineData(7, 2, 4, 64)]
    [InlineData(5, 3, 3, 13)]
    public void DeferredExpertsGetTheirBiasAndReluInTheMix(int batch, int gates, int experts, int units)
    {
        manual_seed(5);
        using var scope = NewDisposeScope();
        var scores = randn(batch, gates, experts).requires_grad_();
        var preActivation = randn(experts, batch, units).requires_grad_();
        var bias = randn(experts, units).requires_grad_();
        var upstream = randn(batch, gates, units);

        var fused = ExpertMix.apply(scores, preActivation, bias);
        var reference = GateGroup.BroadcastMix(softmax(scores, -1), nn.functional.relu(preActivation + bias.unsqueeze(1)).transpose(0, 1));

        AssertSameWithGradients(fused, reference, upstream, scores, preActivation, bias);
    }

    [Fact]
    public void ExpertsAGateDoesNotMixGetNoWeightAndNoGradient()
    {
        // PLE: a task's gate scores −∞ for other tasks' experts.
        manual_seed(6);
        using var scope = NewDisposeScope();
        var raw = randn(4, 2, 3);
        raw[.., 0, 2] = tensor(float.NegativeInfinity);
        var scores = raw.requires_grad_();
        var preActivation = randn(3, 4, 8).requires_grad_();
        var bias = randn(3, 8).requires_grad_();
        var upstream = randn(4, 2, 8);

        var fused = ExpertMix.apply(scores, preActivation, bias);
        var reference = GateGroup.BroadcastMix(softmax(scores, -1), nn.functional.relu(preActivation + bias.unsqueeze(1)).transpose(0, 1));

        AssertSameWithGradients(fused, reference, upstream, scores, preActivation, bias);
        Assert.True(scores.grad!.isfinite().all().item<bool>());
        Assert.Equal(0f, scores.grad![.., 0, 2].abs().sum().item<float>());
    }

    [Fact]
    public void NonContiguousExpertsAreRead()
    {
        manual_seed(7);
        using var scope = NewDisposeScope();
        var scores = randn(4, 2, 3);
        var transposed = randn(3, 4, 8).transpose(0, 1);   // [batch, experts, units] as a strided view
        Assert.True(ExpertMix.apply(scores, transposed, null).allclose(GateGroup.BroadcastMix(softmax(scores, -1), transposed), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void WithoutGradientsTheMixIsNotRecorded()
    {
        manual_seed(8);
        using var scope = NewDisposeScope();
        var scores = randn(3, 2, 4).requires_grad_();
        var preActivation = randn(4, 3, 16).requires_grad_();
        var bias = randn(4, 16).requires_grad_();
        using (no_grad())
        {
            var mixed = ExpertMix.Compute(scores, preActivation, bias);
            Assert.False(mixed.requires_grad);
            var reference = GateGroup.BroadcastMix(softmax(scores, -1), nn.functional.relu(preActivation + bias.unsqueeze(1)).transpose(0, 1));
            Assert.True(mixed.allclose(reference, rtol: 1e-5, atol: 1e-6));
        }
    }

    [Theory]
    [InlineData(Activation.Relu, 0.0)]        // the last layer's bias and ReLU deferred to the mix
    [InlineData(Activation.Relu, 0.3)]        // deferred too: dropout is off outside training
    [InlineData(Activation.Tanh, 0.0)]        // activated by LibTorch, then mixed
    public void GatesMixExpertsAsSeparateMlps(Activation activation, double dropout)
    {
        // Three-layer experts evaluated expert by expert from their own slices of the group's weights, against the group.
        manual_seed(9);
        using var scope = NewDisposeScope();
        var regularization = new RegularizationSettings(0, 0, dropout, activation);
        using var experts = new ExpertGroup("experts", inputWidth: 6, experts: 3, units: [8, 5, 4], regularization);
        using var gates = new GateGroup("gates", inputWidth: 6, gates: 2, experts: 3, units: [], Relu);
        experts.eval();
        var input = randn(5, 6);
        var output = experts.forward(input);
        Assert.Equal(activation == Activation.Relu, output.Bias is not null);

        var parameters = experts.parameters().ToArray();   // first.weight, first.bias, then weights and biases of later layers
        var perExpert = Enumerable.Range(0, 3).Select(e =>
        {
            var x = Apply(activation, nn.functional.linear(input, parameters[0][TensorIndex.Slice(e * 8, e * 8 + 8)], parameters[1][TensorIndex.Slice(e * 8, e * 8 + 8)]));
            x = Apply(activation, matmul(x, parameters[2][e]) + parameters[4][e]);
            return Apply(activation, matmul(x, parameters[3][e]) + parameters[5][e]);
        });
        var reference = GateGroup.BroadcastMix(gates.Weights(input), stack(perExpert.ToArray(), 1));

        Assert.True(gates.forward(input, output).allclose(reference, rtol: 1e-5, atol: 1e-6));
        Assert.True(experts.forward(input).Activated().allclose(stack(perExpert.ToArray(), 1), rtol: 1e-5, atol: 1e-6));
    }

    [Theory]
    [InlineData(1, 2)]   // one sample; two-layer experts
    [InlineData(5, 3)]   // three layers: a middle layer in [experts, batch, units]
    public void TrainingGradientsOfExpertsAndGatesMatchSeparateMlps(int batch, int layers)
    {
        // In training, the fused path (deferred bias and ReLU, softmax in the kernel) against the same network as per-expert LibTorch operations.
        manual_seed(10);
        using var scope = NewDisposeScope();
        int[] units = layers == 2 ? [8, 4] : [8, 5, 4];
        using var experts = new ExpertGroup("experts", inputWidth: 6, experts: 3, units: units, Relu);
        using var gates = new GateGroup("gates", inputWidth: 6, gates: 2, experts: 3, units: [], Relu);
        experts.train();
        gates.train();
        var input = randn(batch, 6);
        var upstream = randn(batch, 2, units[^1]);
        var parameters = experts.parameters().Concat(gates.parameters()).ToArray();

        var output = experts.forward(input);
        Assert.NotNull(output.Bias);
        var fused = autograd.grad([(gates.forward(input, output) * upstream).sum()], parameters);

        // first.weight, first.bias, then the later layers' weights, then their biases; then the gates' weight and bias
        var weights = parameters.Skip(2).Take(units.Length - 1).ToArray();
        var biases = parameters.Skip(1 + units.Length).Take(units.Length - 1).ToArray();
        var perExpert = Enumerable.Range(0, 3).Select(e =>
        {
            var x = nn.functional.relu(nn.functional.linear(input, parameters[0][TensorIndex.Slice(e * 8, e * 8 + 8)], parameters[1][TensorIndex.Slice(e * 8, e * 8 + 8)]));
            for (var layer = 0; layer < weights.Length; layer++)
                x = nn.functional.relu(matmul(x, weights[layer][e]) + biases[layer][e]);
            return x;
        }).ToArray();
        var reference = autograd.grad([(GateGroup.BroadcastMix(gates.Weights(input), stack(perExpert, 1)) * upstream).sum()], parameters);

        for (var i = 0; i < parameters.Length; i++)
            Assert.True(fused[i].allclose(reference[i], rtol: 1e-5, atol: 1e-5), $"gradient of parameter {i}");
    }

    [Fact]
    public void DropoutInTrainingIsAppliedBeforeTheMix()
    {
        using var scope = NewDisposeScope();
        using var experts = new ExpertGroup("experts", inputWidth: 6, experts: 3, units: [8, 4], new RegularizationSettings(0, 0, 0.3, Activation.Relu));
        experts.train();
        Assert.Null(experts.forward(randn(5, 6)).Bias);
    }

    [Fact]
    public void ExpertsOfTheWrongShapeAreRejected()
    {
        using var scope = NewDisposeScope();
        using var gates = new GateGroup("gates", inputWidth: 5, gates: 2, experts: 4, units: [], Relu);
        var error = Assert.Throws<ArgumentException>(() => gates.forward(randn(3, 5), new ExpertOutput(randn(3, 2, 8))));
        Assert.Contains("[batch 3, experts 4, units]; got [3, 2, 8]", error.Message, StringComparison.Ordinal);
    }

    private static Tensor Apply(Activation activation, Tensor x) => activation == Activation.Relu ? nn.functional.relu(x) : nn.functional.tanh(x);

    private static void AssertSameWithGradients(Tensor fused, Tensor reference, Tensor upstream, params Tensor[] inputs)
    {
        Assert.True(fused.allclose(reference, rtol: 1e-5, atol: 1e-6));
        var fusedGradients = autograd.grad([(fused * upstream).sum()], inputs);
        (reference * upstream).sum().backward();
        for (var i = 0; i < inputs.Length; i++)
            Assert.True(fusedGradients[i].allclose(inputs[i].grad!, rtol: 1e-5, atol: 1e-5), $"gradient of input {i}");
    }
}
