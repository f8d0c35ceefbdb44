using System;
using System.Linq;
using ModelDsl.Training;
using ModelDsl.Training.Weighting;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>Each weighting strategy moves its weights as its paper's formula says, on tiny hand-computed cases.</summary>
public class LossWeightingTests
{
    private static readonly ModelSchema TwoTasks = new("Tiny", "0", [],
        [new TaskInfo("Click", TaskKind.Binary, LossWeight: 2), new TaskInfo("Minutes", TaskKind.Regression, LossWeight: 0.5)],
        [], RegularizationSettings.None);

    private static readonly MultiTaskStep NoStep = new(zeros(1), Epoch: 1, Step: 1);

    [Fact]
    public void StaticUsesTheLossWeights()
    {
        using var weighting = LossWeighting.Create(LossWeightingSettings.Static, TwoTasks, 0.1);
        Assert.Equal([2.0, 0.5], weighting.Weights);
        Assert.Equal(2 * 3 + 0.5 * 4, weighting.Combine(tensor(new[] { 3f, 4f }), NoStep).item<float>(), 5);
    }

    [Fact]
    public void UncertaintyFollowsKendallGalCipolla()
    {
        using var weighting = LossWeighting.Create(new LossWeightingSettings(LossWeightingStrategy.Uncertainty), TwoTasks, 0.1);
        var losses = tensor(new[] { 2f, 4f });
        // s = 0: total = 1·e⁰·2 + ½·e⁰·4 + ½·0 + ½·0 = 4; ∂/∂sₖ = −cₖ·e^(−sₖ)·Lₖ + ½ = −1.5 for both.
        var total = weighting.Combine(losses, NoStep);
        Assert.Equal(4f, total.item<float>(), 5);
        total.backward();
        var s = weighting.Parameters.Single();
        Assert.Equal([-1.5f, -1.5f], s.grad!.data<float>().ToArray());

        using var sgd = optim.SGD(weighting.Parameters, 0.1);
        sgd.step();
        // s = 0.15: weights cₖ·e^(−0.15); a task whose loss is high learns a larger variance, a smaller weight.
        Assert.Equal(Math.Exp(-0.15), weighting.Weights[0], 5);
        Assert.Equal(0.5 * Math.Exp(-0.15), weighting.Weights[1], 5);
    }

    [Fact]
    public void GradNormMovesWeightTowardTheSlowerTask()
    {
        using var weighting = (GradNormWeighting)LossWeighting.Create(new LossWeightingSettings(LossWeightingStrategy.GradNorm, Alpha: 1), TwoTasks, 0.1);
        weighting.Update([1.0, 1.0], [1.0, 1.0]);   // sets Lₖ(0); balanced: G = target, no move
        Assert.Equal(1.0, weighting.Weights[0], 5);
        Assert.Equal(1.0, weighting.Weights[1], 5);

        // Task 0 halved its loss, task 1 did not: r = (0.5, 1)/0.75 = (⅔, 4⁄3); targets mean(G)·r = (⅔, 4⁄3)
        // against G = (1, 1): L_grad's gradient is (+1, −1), so w₀ falls, w₁ rises, Σw stays 2.
        weighting.Update([0.5, 1.0], [1.0, 1.0]);
        var w = weighting.Weights;
        Assert.True(w[0] < 1 && w[1] > 1, $"weights {w[0]}, {w[1]}");
        Assert.Equal(2.0, w[0] + w[1], 5);
        Assert.InRange(w[1] - 1, 0.01, 0.1);   // one Adam step: at most the learning rate
    }

    [Fact]
    public void GradNormBalancesUnequalGradientNorms()
    {
        using var weighting = (GradNormWeighting)LossWeighting.Create(new LossWeightingSettings(LossWeightingStrategy.GradNorm), TwoTasks, 0.05);
        // Same training rate, task 0's gradients 4× larger: GradNorm shrinks w₀ until w₀·4 ≈ w₁·1.
        for (var step = 0; step < 400; step++)
            weighting.Update([1.0, 1.0], [4.0, 1.0]);
        var w = weighting.Weights;
        Assert.Equal(4.0, w[1] / w[0], 0);
    }

    /// <summary>
    /// Sample weights all 0 make a task's loss 0. GradNorm's relative training rates were then 0 / 0 and
    /// Math.Sign threw on NaN; DWA's loss ratio divided by 0. Found by the end-to-end property.
    /// </summary>
    [Fact]
    public void ZeroLossesKeepTheWeightsFinite()
    {
        using (var gradNorm = (GradNormWeighting)LossWeighting.Create(new LossWeightingSettings(LossWeightingStrategy.GradNorm), TwoTasks, 0.1))
        {
            gradNorm.Update([0.0, 0.0], [0.0, 0.0]);
            gradNorm.Update([0.0, 0.0], [1.0, 2.0]);
            gradNorm.Update([0.5, 0.0], [1.0, 2.0]);
            Assert.All(gradNorm.Weights, w => Assert.True(double.IsFinite(w), $"weights {string.Join(", ", gradNorm.Weights)}"));
        }
        using var average = LossWeighting.Create(new LossWeightingSettings(LossWeightingStrategy.DynamicWeightAverage), TwoTasks, 0.1);
        average.EndEpoch([0.0, 1.0]);
        average.EndEpoch([0.0, 1.0]);
        average.EndEpoch([0.5, 1.0]);
        Assert.All(average.Weights, w => Assert.True(double.IsFinite(w), $"weights {string.Join(", ", average.Weights)}"));
    }

    /// <summary>An infinite gradient norm reached Math.Sign as NaN, which threw an ArithmeticException naming nothing.</summary>
    [Fact]
    public void GradNormStopsAtAnInfiniteGradientNorm()
    {
        using var weighting = LossWeighting.Create(new LossWeightingSettings(LossWeightingStrategy.GradNorm), TwoTasks, 0.1);
        var shared = zeros(1, requires_grad: true);
        // Both losses are 0, but √w has an infinite slope at w = 0.
        var losses = stack([shared.sqrt().sum(), shared.sum()]);
        var error = Assert.Throws<NotFiniteNumberException>(() => weighting.Combine(losses, new MultiTaskStep(shared, Epoch: 3, Step: 7)));
        Assert.StartsWith("Training diverged at epoch 3, step 7: the gradient norm of task 'Click' is Infinity.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DynamicWeightAverageFollowsLiuEtAl()
    {
        using var weighting = LossWeighting.Create(new LossWeightingSettings(LossWeightingStrategy.DynamicWeightAverage, Temperature: 2), TwoTasks, 0.1);
        Assert.Equal([1.0, 1.0], weighting.Weights);
        weighting.EndEpoch([1.0, 1.0]);
        Assert.Equal([1.0, 1.0], weighting.Weights);   // λ = 1 for the first two epochs
        weighting.EndEpoch([0.5, 1.0]);
        // r = (0.5, 1); λₖ = 2·exp(rₖ/2)/Σ exp(rᵢ/2)
        var expected0 = 2 * Math.Exp(0.25) / (Math.Exp(0.25) + Math.Exp(0.5));
        Assert.Equal(expected0, weighting.Weights[0], 10);
        Assert.Equal(2 - expected0, weighting.Weights[1], 10);
    }
}
