using System;
using System.Linq;
using ModelDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// ESCM²'s regularizers in <see cref="TaskLoss"/>, against the paper's formulas computed by hand in float64 on a
/// tiny batch: ESMM's joint loss plus λ · the IPS or DR risk, propensities floored and without gradient.
/// </summary>
public class CounterfactualRiskTests
{
    private static readonly double[] ClickLogits = [-2.5, 0.3, -1.0, 1.2];
    private static readonly double[] PurchaseLogits = [0.4, -0.7, 1.5, -0.2];
    private static readonly double[] ImputedLogits = [-0.3, 0.8, 0.1, -1.4];
    private static readonly double[] Clicks = [1, 1, 0, 1];
    private static readonly double[] Purchases = [1, 0, 1, 1];   // the third is unclicked: its purchase is unobserved

    [Fact]
    public void InversePropensityAddsLambdaTimesClickedErrorsOverFlooredClickProbabilities()
    {
        var settings = new CounterfactualSettings(CounterfactualRegularizer.InversePropensity, Weight: 0.5, PropensityFloor: 0.1);
        var expected = Esmm() + 0.5 * Enumerable.Range(0, 4).Average(n => Clicks[n] * Error(n) / Math.Max(Sigmoid(ClickLogits[n]), 0.1));
        Assert.Equal(expected, PurchaseLoss(settings, imputation: false), 5);
        // σ(−2.5) = 0.076 is floored: without the floor the first sample would weigh 13.2 instead of 10.
        Assert.True(Sigmoid(ClickLogits[0]) < 0.1);
    }

    [Fact]
    public void DoublyRobustAddsTheImputedErrorTheCorrectionAndTheImputationLoss()
    {
        var settings = new CounterfactualSettings(CounterfactualRegularizer.DoublyRobust, Weight: 0.25, PropensityFloor: 0.05);
        var risk = Enumerable.Range(0, 4).Average(n =>
        {
            var imputed = Math.Log(1 + Math.Exp(ImputedLogits[n]));   // softplus
            var inverse = Clicks[n] / Math.Max(Sigmoid(ClickLogits[n]), 0.05);
            return imputed + inverse * (Error(n) - imputed) + inverse * Math.Pow(Error(n) - imputed, 2);
        });
        Assert.Equal(Esmm() + 0.25 * risk, PurchaseLoss(settings, imputation: true), 5);
    }

    [Fact]
    public void ThePropensityGetsNoGradientAndTheImputationFitMovesOnlyTheImputation()
    {
        var settings = new CounterfactualSettings(CounterfactualRegularizer.DoublyRobust, Weight: 1, PropensityFloor: 0.01);
        var logit = Tensor(PurchaseLogits).requires_grad_();
        var logPropensity = Tensor(ClickLogits).requires_grad_();
        var imputation = Tensor(ImputedLogits).requires_grad_();
        var logSigmoid = nn.functional.logsigmoid(logPropensity);
        CounterfactualRisk.Compute(settings, logit, Tensor(Purchases), Tensor(Clicks), logSigmoid, imputation, weight: null).backward();
        Assert.Null(logPropensity.grad);
        // The conditional's gradient is the IPS one alone: o / q̂ · ∂δ/∂logit = o / q̂ · (σ(logit) − r), over the batch.
        var expected = Enumerable.Range(0, 4).Select(n => Clicks[n] / Math.Max(Sigmoid(ClickLogits[n]), 0.01) * (Sigmoid(PurchaseLogits[n]) - Purchases[n]) / 4).ToArray();
        Assert.Equal(expected, logit.grad!.data<float>().ToArray().Select(g => (double)g), new Tolerance(1e-5));
        Assert.NotNull(imputation.grad);
    }

    /// <summary>ESMM's loss of the purchase task: BCE of σ(click)·σ(purchase) against click ∧ purchase.</summary>
    private static double Esmm() => Enumerable.Range(0, 4).Average(n =>
    {
        var p = Sigmoid(ClickLogits[n]) * Sigmoid(PurchaseLogits[n]);
        var y = Clicks[n] * Purchases[n];
        return -(y * Math.Log(p) + (1 - y) * Math.Log(1 - p));
    });

    /// <summary>δ: the cross-entropy of the conditional pCVR against the purchase label.</summary>
    private static double Error(int n)
    {
        var p = Sigmoid(PurchaseLogits[n]);
        return -(Purchases[n] * Math.Log(p) + (1 - Purchases[n]) * Math.Log(1 - p));
    }

    private static double PurchaseLoss(CounterfactualSettings settings, bool imputation)
    {
        var schema = new ModelSchema("Tiny", "0", [],
            [new TaskInfo("Click", TaskKind.Binary, 1), new TaskInfo("Purchase", TaskKind.Binary, 1, Given: 0) { Counterfactual = settings }],
            [], RegularizationSettings.None);
        Assert.Equal(imputation ? [1] : [], schema.ImputedTasks);
        double[][] columns = imputation ? [ClickLogits, PurchaseLogits, ImputedLogits] : [ClickLogits, PurchaseLogits];
        using var outputs = stack(columns.Select(Tensor).ToArray(), 1);
        using var labels = stack(new[] { Tensor(Clicks), Tensor(Purchases) }, 1);
        using var loss = new TaskLoss(schema, CPU);
        return loss.Compute(outputs, labels, ones_like(labels))[1].item<float>();
    }

    private static Tensor Tensor(double[] values) => tensor(values.Select(v => (float)v).ToArray());

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private sealed class Tolerance(double epsilon) : System.Collections.Generic.IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }
}
