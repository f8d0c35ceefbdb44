using System;
using System.Linq;
using System.Reflection;
using ModelDsl.Layers;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// The mixture of experts as one fused CPU operation (<see cref="FusedMixture"/>) against the same layers run one by one:
/// outputs, the input's gradient and every parameter's, for the shapes the generator emits; where it must step aside; and a
/// generated network trained both ways.
/// </summary>
public class FusedMixtureTests
{
    private static readonly RegularizationSettings Relu = new(0, 0, 0, Activation.Relu);

    public static TheoryData<int, int, int[], int, int[][], int[], int[]> Shapes => new()
    {
        // batch, input, expert units, gates, towers' hidden units, towers' outputs, the gate each tower reads
        { 7, 12, [16, 8], 2, [[4], [4]], [1, 1], [0, 1] },                 // the reference MMoE's layout, smaller
        { 1, 5, [8], 2, [[], []], [1, 1], [0, 1] },                         // one sample, one expert layer, towers without hidden layers
        { 9, 11, [13, 7, 5], 3, [[6, 3], [], [5]], [1, 3, 1], [0, 1, 2] },  // three layers, odd widths (vector tails), a multiclass tower
        { 6, 10, [12, 6], 1, [[4], [3], [4]], [1, 1, 1], [0, 0, 0] },       // OMoE: every tower reads the one gate
        { 5, 10, [12, 6], 2, [[4], [4], [4]], [1, 1, 1], [0, 1, 1] },       // ESCM²-DR: an imputation tower reads its task's gate
        { 4, 7, [9, 11], 2, [[5], [2]], [1, 1], [1, 0] },                   // experts' rows of a vector and a tail; towers read the gates crosswise
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FusedOutputsAndGradientsMatchTheLayers(int batch, int inputWidth, int[] units, int gates, int[][] hidden, int[] outputs, int[] towerGates)
    {
        foreach (var activation in new[] { Activation.Relu, Activation.LeakyRelu, Activation.Tanh })
            AssertFusedMatchesLayers(batch, inputWidth, units, gates, hidden, outputs, towerGates, Relu with { Activation = activation });
    }

    private static void AssertFusedMatchesLayers(int batch, int inputWidth, int[] units, int gates, int[][] hidden, int[] outputs, int[] towerGates, RegularizationSettings regularization)
    {
        manual_seed(21);
        using var scope = NewDisposeScope();
        var (experts, gateGroup, towers) = Layers(inputWidth, 3, units, gates, hidden, outputs, regularization);
        var fused = new FusedMixture(inputWidth, experts, gateGroup, towers, towerGates);
        var input = randn(batch, inputWidth).requires_grad_();
        var upstream = randn(batch, outputs.Sum());
        var parameters = new[] { input }.Concat(experts.parameters()).Concat(gateGroup.parameters()).Concat(towers.SelectMany(t => t.parameters())).ToArray();

        var output = fused.TryForward(input);
        Assert.NotNull(output);
        var reference = LayerByLayer(input, experts, gateGroup, towers, towerGates);
        Assert.True(output.allclose(reference, rtol: 1e-5, atol: 1e-5), $"outputs, {regularization.Activation}");

        var fusedGradients = autograd.grad([(output * upstream).sum()], parameters);
        var referenceGradients = autograd.grad([(reference * upstream).sum()], parameters);
        for (var i = 0; i < parameters.Length; i++)
            Assert.True(fusedGradients[i].allclose(referenceGradients[i], rtol: 1e-4, atol: 1e-5), $"{(i == 0 ? "gradient of the input" : $"gradient of parameter {i - 1}")}, {regularization.Activation}");
    }

    [Fact]
    public void AnInputWithoutGradientGetsNoneAndTheParametersStillDo()
    {
        // Numeric features without transforms and no embeddings: nothing upstream of the mixture learns.
        manual_seed(22);
        using var scope = NewDisposeScope();
        var (experts, gates, towers) = Layers(6, 2, [8, 4], 2, [[3], [3]], [1, 1], Relu);
        var fused = new FusedMixture(6, experts, gates, towers, [0, 1]);
        var input = randn(4, 6);
        var output = fused.TryForward(input)!;
        output.sum().backward();
        Assert.Null(input.grad);
        var reference = LayerByLayer(input, experts, gates, towers, [0, 1]);
        var parameters = experts.parameters().ToArray();
        var expected = autograd.grad([reference.sum()], parameters);
        for (var i = 0; i < parameters.Length; i++)
            Assert.True(parameters[i].grad!.allclose(expected[i], rtol: 1e-4, atol: 1e-5), $"gradient of expert parameter {i}");
    }

    [Fact]
    public void LayersItDoesNotComputeRunOneByOne()
    {
        using var scope = NewDisposeScope();
        var input = randn(3, 6, requires_grad: true);
        FusedMixture For(RegularizationSettings experts, RegularizationSettings towers, int[] gateUnits, bool normalize = false, ScalarType towerType = ScalarType.Float32)
        {
            var group = new ExpertGroup("experts", 6, 2, [8, 4], experts, normalize);
            var gates = new GateGroup("gates", 6, 2, 2, gateUnits, Relu);
            var last = new Tower("b", 4, [], towers);
            last.to(towerType);
            return new FusedMixture(6, group, gates, [new Tower("a", 4, [3], towers), last], [0, 1]);
        }

        var tanh = Relu with { Activation = Activation.Tanh };
        Assert.NotNull(For(Relu, Relu, []).TryForward(input));
        Assert.NotNull(For(tanh, tanh, []).TryForward(input));
        Assert.Null(For(tanh, Relu, []).TryForward(input));                      // the experts' activation differs from a tower's
        Assert.Null(For(Relu with { Activation = Activation.Gelu }, Relu with { Activation = Activation.Gelu }, []).TryForward(input));
        Assert.Null(For(Relu with { Activation = Activation.Swish }, Relu with { Activation = Activation.Swish }, []).TryForward(input));
        Assert.Null(For(Relu with { Dropout = 0.1 }, Relu, []).TryForward(input));
        Assert.Null(For(Relu, Relu with { Dropout = 0.1 }, []).TryForward(input));
        Assert.Null(For(Relu, Relu, [5]).TryForward(input));                    // gates with a hidden layer
        Assert.Null(For(Relu, Relu, [], normalize: true).TryForward(input));    // HoME's normalized experts
        Assert.Null(For(Relu, Relu, [], towerType: ScalarType.Float64).TryForward(input));   // weights the kernel cannot read as floats

        var plain = For(Relu, Relu, []);
        using (no_grad())
            Assert.Null(plain.TryForward(input));                                 // inference: the layers' own path
        using (FusedMixture.LayerByLayer())
            Assert.Null(plain.TryForward(input));
        Assert.Null(plain.TryForward(randn(3, 6, ScalarType.Float64, requires_grad: true)));
        Assert.Null(plain.TryForward(randn(6, 3, requires_grad: true).t()));     // not contiguous
        Assert.Null(plain.TryForward(randn(3, 5, requires_grad: true)));         // another width
    }

    [Theory]
    [InlineData(1, 1 << 20, 1)]     // the workspace: 257 rows of 2²¹ + 1 floats
    [InlineData(1 << 21, 1, 1)]     // the input: 257 rows of 2²¹ floats
    [InlineData(1, 1, 1 << 21)]     // the output: 257 rows of 2²¹ classes
    public void ATensorOverTheTwoGibibytesASpanAddressesRunsOneByOne(int inputWidth, int units, int classes)
    {
        // The kernel reaches every tensor's memory through a span of bytes, which stops at int.MaxValue bytes; the
        // layers one by one have no such limit. Nothing here is written: empty tensors are not committed memory.
        using var scope = NewDisposeScope();
        var (experts, gates, towers) = Layers(inputWidth, 1, [units], 1, [[]], [classes], Relu);
        var fused = new FusedMixture(inputWidth, experts, gates, towers, [0]);
        Assert.True(fused.Fusable);
        Assert.Null(fused.TryForward(empty(257, inputWidth).requires_grad_()));
    }

    [Theory]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 0, 2 })]
    [InlineData(new[] { 0, -1 })]
    public void EachTowerNeedsAGateOfTheGroup(int[] towerGates)
    {
        using var scope = NewDisposeScope();
        var (experts, gates, towers) = Layers(6, 2, [8], 2, [[], []], [1, 1], Relu);
        var error = Assert.Throws<ArgumentException>(() => new FusedMixture(6, experts, gates, towers, towerGates));
        Assert.Equal("towerGates", error.ParamName);
        Assert.Contains("Each of the 2 towers needs the index of a gate below 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AGeneratedMixtureTrainsTheSameFusedAndLayerByLayer()
    {
        // OMoE with ReLU experts and towers: the generated network takes the fused path in training. Plain SGD, so the
        // two runs' float rounding differences are not magnified as Adam's normalized steps would magnify them.
        Assert.True(Fused(new OmoeModel.Network()).Fusable);
        Assert.False(Fused(new MmoeModel.Network()).Fusable);   // its gates have a hidden layer
        var samples = OmoeSamples();
        var options = new TrainingOptions { Epochs = 2, BatchSize = 64, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Seed = 5, Threads = 1, AnalyzeGates = false };
        using var fused = new OmoeModel.Trainer(options);
        using var layered = new OmoeModel.Trainer(options);
        var fusedReport = fused.Fit(samples);
        TrainingReport layeredReport;
        using (FusedMixture.LayerByLayer())
            layeredReport = layered.Fit(samples);

        Assert.Equal(layeredReport.Epochs[^1].TrainLoss, fusedReport.Epochs[^1].TrainLoss, 1e-4);
        var expected = layered.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in fused.Network.named_parameters())
            Assert.True(parameter.allclose(expected[name], rtol: 1e-4, atol: 1e-5), name);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FusedTrainingReplaysExactlyAtEachThreadCount(int threads)
    {
        // The products' thread count is LibTorch's (it sets MKL's); a seeded run must repeat itself bit for bit at each.
        var samples = OmoeSamples();
        float[] Train()
        {
            using var trainer = new OmoeModel.Trainer(new TrainingOptions { Epochs = 1, BatchSize = 128, Seed = 8, Threads = threads, AnalyzeGates = false });
            trainer.Fit(samples);
            return trainer.Network.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        }
        Assert.Equal(Train(), Train());
    }

    [Fact]
    public void ANotANumberReachesTheOutputsAsLayerByLayer()
    {
        // relu(NaN) is NaN in LibTorch: a diverged weight must show in the loss, where the trainer's divergence check sees it.
        using var scope = NewDisposeScope();
        var (experts, gates, towers) = Layers(6, 2, [8, 4], 2, [[3], []], [1, 1], Relu);
        using (no_grad())
            experts.parameters().First()[0, 0] = float.NaN;
        var fused = new FusedMixture(6, experts, gates, towers, [0, 1]);
        var input = randn(3, 6);
        Assert.True(LayerByLayer(input, experts, gates, towers, [0, 1]).isnan().any().item<bool>());
        Assert.True(fused.TryForward(input)!.isnan().any().item<bool>());
    }

    [Fact]
    public void ANotANumberOutOfAReluPassesItsGradientAsLibTorchDoes()
    {
        // LibTorch's threshold backward zeroes the gradient where the output is ≤ 0, so a NaN output lets it through:
        // with a NaN bias in a tower's hidden layer, that unit's bias and weights still get finite gradients.
        using var scope = NewDisposeScope();
        var (experts, gates, towers) = Layers(6, 2, [8, 4], 2, [[3], []], [1, 1], Relu);
        using (no_grad())
            towers[0].Hidden.Layers[0].bias![0] = float.NaN;
        var fused = new FusedMixture(6, experts, gates, towers, [0, 1]);
        var input = randn(3, 6);
        var parameters = experts.parameters().Concat(gates.parameters()).Concat(towers.SelectMany(t => t.parameters())).ToArray();
        var fusedGradients = autograd.grad([fused.TryForward(input)!.sum()], parameters);
        var referenceGradients = autograd.grad([LayerByLayer(input, experts, gates, towers, [0, 1]).sum()], parameters);
        for (var i = 0; i < parameters.Length; i++)
            Assert.True(fusedGradients[i].allclose(referenceGradients[i], rtol: 1e-4, atol: 1e-5, equal_nan: true), $"gradient of parameter {i}");
        Assert.True(towers[0].Hidden.Layers[0].bias!.grad is null);   // autograd.grad leaves .grad alone
        var hiddenBias = experts.parameters().Count() + gates.parameters().Count() + 1;   // tower 0: hidden weight, hidden bias, …
        Assert.True(referenceGradients[hiddenBias][0].isfinite().item<bool>());
    }

    [Fact]
    public void AnEmptyBatchGivesAnEmptyOutputAndZeroGradients()
    {
        using var scope = NewDisposeScope();
        var (experts, gates, towers) = Layers(6, 2, [8, 4], 2, [[3], []], [1, 2], Relu);
        var fused = new FusedMixture(6, experts, gates, towers, [0, 1]);
        var input = randn(0, 6, requires_grad: true);
        var output = fused.TryForward(input)!;
        Assert.Equal([0L, 3L], output.shape);
        output.sum().backward();
        Assert.All(experts.parameters(), p => Assert.Equal(0f, p.grad!.abs().sum().item<float>()));
    }

    private static System.Collections.Generic.List<OmoeModel> OmoeSamples() =>
        new SyntheticData(seed: 3).Rows(512, seed: 4).Select(r => new OmoeModel
        {
            UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
        }).ToList();

    private static FusedMixture Fused(MultiTaskNetwork network) =>
        (FusedMixture)network.GetType().GetField("fused", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(network)!;

    private static (ExpertGroup, GateGroup, Tower[]) Layers(int inputWidth, int experts, int[] units, int gates, int[][] hidden, int[] outputs, RegularizationSettings regularization)
    {
        var group = new ExpertGroup("experts", inputWidth, experts, units, regularization);
        var gateGroup = new GateGroup("gates", inputWidth, gates, experts, [], regularization);
        var towers = hidden.Select((h, t) => new Tower($"tower{t}", units[^1], h, regularization, outputs[t])).ToArray();
        foreach (var module in new nn.Module[] { group, gateGroup }.Concat(towers))
            module.train();
        return (group, gateGroup, towers);
    }

    /// <summary>What the generated network runs when the fused operation steps aside.</summary>
    private static Tensor LayerByLayer(Tensor input, ExpertGroup experts, GateGroup gates, Tower[] towers, int[] towerGates)
    {
        var mixed = gates.forward(input, experts.forward(input));
        return cat(towers.Select((t, i) => t.forward(mixed.select(1, towerGates[i]))).ToArray(), 1);
    }
}
