using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Training;

namespace MmoeSynthetic;

/// <summary>The three architectures of the paper's §5.1, and MMoE with HoME's expert normalization.</summary>
public enum Architecture
{
    /// <summary><see cref="SyntheticSharedBottom"/>.</summary>
    SharedBottom,

    /// <summary><see cref="SyntheticOmoe"/>.</summary>
    Omoe,

    /// <summary><see cref="SyntheticMmoe"/>.</summary>
    Mmoe,

    /// <summary><see cref="SyntheticMmoeNormalized"/>.</summary>
    MmoeNormalized,
}

/// <summary>What one training run ended with, on the test set.</summary>
/// <param name="Mse">Final test MSE of each task.</param>
/// <param name="Variance">Each task's test label variance: the MSE of predicting the mean.</param>
/// <param name="Curve">Mean test MSE of the two tasks after each epoch.</param>
/// <param name="TrainCurve">Mean training MSE of the two tasks during each epoch.</param>
/// <param name="Parameters">Trainable parameters of the network.</param>
/// <param name="Gates">The last epoch's gate statistics on the test set (none for Shared-Bottom).</param>
public sealed record RunResult(double[] Mse, double[] Variance, double[] Curve, double[] TrainCurve, long Parameters, IReadOnlyList<GateStatistics> Gates)
{
    /// <summary>The mean of the two tasks' final test MSE: what the paper's figure 4 plots.</summary>
    public double MeanMse => Mse.Average();
}

/// <summary>Trains one architecture on one task pair and reads its test loss.</summary>
public static class Experiment
{
    /// <summary>Trains on <paramref name="train"/> and evaluates on <paramref name="test"/> after every epoch.</summary>
    public static RunResult Run(Architecture architecture, IReadOnlyList<SyntheticRow> train, IReadOnlyList<SyntheticRow> test, TrainingOptions options) =>
        architecture switch
        {
            Architecture.SharedBottom => Run(new SyntheticSharedBottom.Trainer(options), train, test, r => new SyntheticSharedBottom { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }),
            Architecture.Omoe => Run(new SyntheticOmoe.Trainer(options), train, test, r => new SyntheticOmoe { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }),
            Architecture.Mmoe => Run(new SyntheticMmoe.Trainer(options), train, test, r => new SyntheticMmoe { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }),
            Architecture.MmoeNormalized => Run(new SyntheticMmoeNormalized.Trainer(options), train, test, r => new SyntheticMmoeNormalized { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }),
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, null),
        };

    private static RunResult Run<TModel>(ModelTrainer<TModel> trainer, IReadOnlyList<SyntheticRow> train, IReadOnlyList<SyntheticRow> test, Func<SyntheticRow, TModel> sample)
    {
        using (trainer)
        {
            // The test set doubles as Fit's validation set, so every epoch's report is a point of the test-loss curve.
            var report = trainer.Fit(train.Select(sample), test.Select(sample));
            var final = report.Final.Metrics;
            return new RunResult(
                final.Select(m => Square(m.Rmse)).ToArray(),
                final.Select(m => Square(m.BaselineRmse)).ToArray(),
                report.Epochs.Select(e => e.Metrics.Average(m => Square(m.Rmse))).ToArray(),
                report.Epochs.Select(e => e.TaskLosses.Average()).ToArray(),
                trainer.Network.parameters().Sum(p => p.numel()),
                report.Final.Gates);
        }
    }

    private static double Square(double? rmse) => rmse!.Value * rmse.Value;
}
