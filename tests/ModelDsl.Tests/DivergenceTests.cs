using System;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>A run whose losses stop being finite stops at once, naming the task, epoch and step.</summary>
public class DivergenceTests
{
    /// <summary>
    /// A label of 10³⁰ squares past float's range. Static weighting trained on with NaN weights; GradNorm threw
    /// an ArithmeticException from Math.Sign(NaN) that named nothing.
    /// </summary>
    [Theory]
    [InlineData(LossWeightingStrategy.Static)]
    [InlineData(LossWeightingStrategy.GradNorm)]
    public void AnInfiniteLossStopsTheRun(LossWeightingStrategy strategy)
    {
        using var trainer = new NumericLabelModel.Trainer(new TrainingOptions { Epochs = 2, BatchSize = 2, LossWeighting = new LossWeightingSettings(strategy) });
        NumericLabelModel[] samples = [new() { ItemId = 1, Revenue = 1 }, new() { ItemId = 2, Revenue = 2 }, new() { ItemId = 3, Revenue = 1e30 }];
        var error = Assert.Throws<NotFiniteNumberException>(() => trainer.Fit(samples));
        Assert.Matches(@"^Training diverged at epoch 1, step [12]: the loss of task 'Revenue' is Infinity\. ", error.Message);
    }
}
