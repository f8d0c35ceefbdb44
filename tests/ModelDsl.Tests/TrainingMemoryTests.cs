using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using TorchSharp;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>Training leaks no tensors: TorchSharp's count of live tensors is the same after every epoch.</summary>
public class TrainingMemoryTests
{
    [Theory]
    [InlineData(LossWeightingStrategy.Static)]
    [InlineData(LossWeightingStrategy.Uncertainty)]
    [InlineData(LossWeightingStrategy.GradNorm)]
    [InlineData(LossWeightingStrategy.DynamicWeightAverage)]
    public void LiveTensorsStayFlatAcrossEpochs(LossWeightingStrategy strategy)
    {
        var data = new SyntheticData(seed: 7);
        using var trainer = new ClickWatchModel.Trainer(new TrainingOptions
        {
            Epochs = 5, BatchSize = 256, Seed = 1, LossWeighting = new LossWeightingSettings(strategy),
            EarlyStopping = new EarlyStopping("Click", Patience: 5),
        });
        var live = new List<long>();
        trainer.Fit(data.Samples(3_000, seed: 1), data.Samples(500, seed: 2), new EpochEnd(() => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount)));
        // Epoch 1 creates the optimizer's state; from then on nothing may accumulate.
        Assert.Equal(5, live.Count);
        Assert.True(live.Skip(1).Distinct().Count() == 1, $"live tensors after each epoch: {string.Join(", ", live)}");
    }

    private sealed class EpochEnd(Action atEnd) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Completed is not null)
                atEnd();
        }
    }
}
