using System;
using System.Linq;
using ModelDsl.Kernels;
using ModelDsl.Training;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// The fused CPU Adam (<see cref="AdamKernel"/>) against LibTorch operations: the same optimizer with the
/// kernel off, and TorchSharp's own Adam for dense parameters.
/// </summary>
public class AdamKernelTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void FusedStepsMatchLibTorchOperations(double weightDecay)
    {
        using var fused = new TinyModel(seed: 3);
        using var reference = new TinyModel(seed: 3);
        using var fusedAdam = new SparseAware.Adam(fused.parameters(), 0.05, weightDecay);
        using var referenceAdam = new SparseAware.Adam(reference.parameters(), 0.05, weightDecay, fused: false);
        var random = new Random(7);
        for (var step = 0; step < 25; step++)
        {
            // Ids repeat within a batch (their gradients add up) and most rows are not looked up in a given step.
            var ids = Enumerable.Range(0, 12).Select(_ => (long)random.Next(0, 9)).ToArray();
            var target = Enumerable.Range(0, 12 * 5).Select(_ => (float)random.NextDouble()).ToArray();
            fused.Step(fusedAdam, ids, target);
            reference.Step(referenceAdam, ids, target);
        }
        foreach (var (f, r) in fused.parameters().Zip(reference.parameters()))
            Assert.True(f.allclose(r, rtol: 1e-5, atol: 1e-6), $"{string.Join(",", f.shape)}: max |difference| {(f - r).abs().max().item<float>()}");
    }

    [Fact]
    public void DenseStepsMatchTorchSharpAdam()
    {
        manual_seed(5);
        using var fused = nn.Linear(7, 5);   // 35 + 5 elements: neither a multiple of the vector width
        using var stock = nn.Linear(7, 5);
        using (no_grad())
        {
            stock.weight!.copy_(fused.weight!);
            stock.bias!.copy_(fused.bias!);
        }
        using var fusedAdam = new SparseAware.Adam(fused.parameters(), 0.01, 0);
        using var stockAdam = optim.Adam(stock.parameters(), 0.01);
        using var input = randn(16, 7);
        using var target = randn(16, 5);
        for (var step = 0; step < 30; step++)
        {
            foreach (var (linear, adam) in new[] { (fused, (optim.Optimizer)fusedAdam), (stock, stockAdam) })
            {
                using var scope = NewDisposeScope();
                adam.zero_grad();
                nn.functional.mse_loss(linear.forward(input), target).backward();
                adam.step();
            }
        }
        Assert.True(fused.weight!.allclose(stock.weight!, rtol: 1e-5, atol: 1e-6));
        Assert.True(fused.bias!.allclose(stock.bias!, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void ZeroGradDropsGradientsAndUnusedParametersStayPut()
    {
        manual_seed(2);
        using var used = nn.Linear(3, 2);
        using var unused = nn.Linear(3, 2);
        using var adam = new SparseAware.Adam(used.parameters().Concat(unused.parameters()), 0.1, 0);
        var before = unused.weight!.detach().clone();
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            Assert.Null(used.weight!.grad);
            used.forward(ones(4, 3)).sum().backward();
            adam.step();
        }
        Assert.True(unused.weight!.allclose(before, rtol: 0, atol: 0));
        Assert.NotNull(used.weight!.grad);
    }

    [Fact]
    public void RowOutsideTheTableIsRejectedAndForgotten()
    {
        var weights = new float[4 * 2];
        var mean = new float[8];
        var square = new float[8];
        var c = AdamCoefficients.For(0.1, 0.9, 0.999, 1e-8, 0, 1);
        var scratch = new AdamKernel.RowScratch();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AdamKernel.Rows(weights, mean, square, 2, [1, 9], [1, 1, 1, 1], c, scratch));
        Assert.Contains("row 9", error.Message, StringComparison.Ordinal);
        Assert.All(weights, w => Assert.Equal(0, w));
        // Row 1 was seen before the bad row: the next step must not take it for a repeat.
        AdamKernel.Rows(weights, mean, square, 2, [1], [1, 1], c, scratch);
        Assert.Equal([0, 0, -0.1f, -0.1f, 0, 0, 0, 0], weights.Select(w => MathF.Round(w, 4)).ToArray());
    }

    /// <summary>A row-sparse embedding (9 rows of 5) into a linear layer (odd sizes, so vector tails run).</summary>
    private sealed class TinyModel : nn.Module
    {
        private readonly Embedding embedding;
        private readonly Linear linear;

        public TinyModel(int seed) : base(nameof(TinyModel))
        {
            manual_seed(seed);
            embedding = nn.Embedding(9, 5, sparse: true);
            linear = nn.Linear(5, 5);
            RegisterComponents();
        }

        public void Step(optim.Optimizer optimizer, long[] ids, float[] target)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var output = linear.forward(embedding.forward(tensor(ids)));
            nn.functional.mse_loss(output, tensor(target, [ids.Length, 5])).backward();
            optimizer.step();
        }
    }
}
