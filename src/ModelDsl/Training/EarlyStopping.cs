using System;
using System.Linq;
using ModelDsl.Metrics;

namespace ModelDsl.Training;

/// <summary>Stops training when a validation metric has not improved for <paramref name="Patience"/> epochs; the best epoch's weights are restored.</summary>
/// <param name="Task">The task whose metric is watched.</param>
/// <param name="Metric">The metric; AUC is maximized, the others minimized.</param>
/// <param name="Patience">Epochs without improvement before stopping.</param>
/// <param name="MinDelta">Smallest change that counts as an improvement.</param>
public sealed record EarlyStopping(string Task, Metric Metric = Metric.Auc, int Patience = 2, double MinDelta = 0)
{
    internal double Read(EpochReport epoch)
    {
        var metrics = epoch.Metrics.FirstOrDefault(m => m.Task == Task)
            ?? throw new ArgumentException($"EarlyStopping watches task '{Task}', which the model does not have.");
        return (Metric switch
        {
            Metric.Auc => metrics.Auc,
            Metric.LogLoss => metrics.LogLoss,
            Metric.Rmse => metrics.Rmse,
            Metric.Mae => metrics.Mae,
            _ => null,
        }) ?? throw new ArgumentException($"EarlyStopping watches {Metric} of task '{Task}', which a {metrics.Kind} task does not report.");
    }

    internal bool Improves(double value, double best) =>
        Metric == Metric.Auc ? value > best + MinDelta : value < best - MinDelta;
}

/// <summary>Validation metrics early stopping can watch.</summary>
public enum Metric
{
    /// <summary>ROC AUC (binary tasks); higher is better.</summary>
    Auc,

    /// <summary>Log loss (binary tasks).</summary>
    LogLoss,

    /// <summary>Root mean squared error (regression tasks).</summary>
    Rmse,

    /// <summary>Mean absolute error (regression tasks).</summary>
    Mae,
}
