using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using ModelDsl.Layers;
using ModelDsl.Metrics;

namespace ModelDsl.Training;

/// <summary>Stops training when a validation metric has not improved for <paramref name="Patience"/> epochs; the best epoch's weights are restored.</summary>
/// <param name="Task">The task whose metric is watched.</param>
/// <param name="Metric">The metric; AUC is maximized, the others minimized.</param>
/// <param name="Patience">Epochs without improvement before stopping.</param>
/// <param name="MinDelta">Smallest change that counts as an improvement.</param>
public sealed record EarlyStopping(string Task, Metric Metric = Metric.Auc, int Patience = 2, double MinDelta = 0)
{
    /// <summary>The index of the watched task, after checking that the model has it and that it reports <see cref="Metric"/>.</summary>
    /// <exception cref="ArgumentException">The model has no such task, or the task's kind does not report the metric.</exception>
    internal int TaskIndex(ModelSchema schema)
    {
        var names = schema.Tasks.Select(t => t.Name).ToList();
        var index = names.IndexOf(Task);
        if (index < 0)
            throw new ArgumentException(
                $"EarlyStopping.Task '{Task}' is not a task of {schema.Name}; its tasks are {string.Join(", ", names.Select(n => $"'{n}'"))}.");
        var kind = schema.Tasks[index].Kind;
        Metric[] reported = kind == TaskKind.Regression ? [Metric.Rmse, Metric.Mae] : [Metric.Auc, Metric.LogLoss];
        if (!reported.Contains(Metric))
            throw new ArgumentException(
                $"EarlyStopping.Metric {Metric} is not reported by '{Task}', a {kind} task; it reports {string.Join(" and ", reported)}.");
        return index;
    }

    /// <summary>The watched value of an epoch of <paramref name="schema"/>'s model.</summary>
    internal double Read(ModelSchema schema, EpochReport epoch)
    {
        var metrics = epoch.Metrics[TaskIndex(schema)];
        return Metric switch
        {
            Metric.Auc => metrics.Auc!.Value,
            Metric.LogLoss => metrics.LogLoss!.Value,
            Metric.Rmse => metrics.Rmse!.Value,
            Metric.Mae => metrics.Mae!.Value,
            _ => throw new UnreachableException($"TaskIndex accepted {Metric}."),
        };
    }

    internal bool Improves(double value, double best) =>
        Metric == Metric.Auc ? value > best + MinDelta : value < best - MinDelta;

    /// <summary>Whether <see cref="Patience"/> epochs have passed without improvement.</summary>
    internal bool Stopped(TrainingState state) => state.EpochsSinceBest >= Patience;

    /// <summary>Keeps the best epoch's value and a copy of its weights.</summary>
    internal void Track(TrainingState state, EpochReport report, MultiTaskNetwork network)
    {
        var value = Read(network.Schema, report);
        if (state.BestValue is { } best && !Improves(value, best))
        {
            state.EpochsSinceBest++;
            return;
        }
        (state.BestValue, state.BestEpoch, state.EpochsSinceBest) = (value, report.Epoch, 0);
        using var snapshot = new MemoryStream();
        network.save(snapshot);
        state.BestWeights = snapshot.ToArray();
    }
}

/// <summary>Validation metrics early stopping can watch.</summary>
public enum Metric
{
    /// <summary>ROC AUC (binary tasks; the macro one-vs-rest AUC of multiclass tasks); higher is better.</summary>
    Auc,

    /// <summary>Log loss (binary and multiclass tasks).</summary>
    LogLoss,

    /// <summary>Root mean squared error (regression tasks).</summary>
    Rmse,

    /// <summary>Mean absolute error (regression tasks).</summary>
    Mae,
}
