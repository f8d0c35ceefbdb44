using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Serialization;
using ModelDsl.Metrics;

namespace ModelDsl.Training;

/// <summary>What one epoch did.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean weighted total training loss (without the L2 penalty).</param>
/// <param name="TaskLosses">Mean training loss of each task, unweighted, in task order.</param>
/// <param name="Metrics">Per-task metrics on the validation set, or on the training set when none was given.</param>
/// <param name="MetricsOn">Which set <paramref name="Metrics"/> were computed on: <c>validation</c> or <c>train</c>.</param>
/// <param name="TaskWeights">Each task's loss weight at the end of the epoch, in task order.</param>
/// <param name="LearningRate">The epoch's learning rate.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, IReadOnlyList<double> TaskLosses, IReadOnlyList<TaskMetrics> Metrics, string MetricsOn,
    IReadOnlyList<double> TaskWeights, double LearningRate)
{
    /// <summary>
    /// Each gate's mean expert weights and their entropy on the set <see cref="Metrics"/> come from, per level in gate
    /// order; empty for models without gates (Shared-Bottom, ESMM) or with <see cref="TrainingOptions.AnalyzeGates"/> off.
    /// </summary>
    public IReadOnlyList<GateStatistics> Gates { get; init; } = [];

    /// <summary>Collapsed gates and unused experts in <see cref="Gates"/>; see <see cref="GateStatistics.Warnings"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> GateWarnings => GateStatistics.Warnings(Gates);

    /// <summary>The metrics of one task by name.</summary>
    public TaskMetrics this[string task] => Metrics.First(m => m.Task == task);

    /// <summary>One line per epoch: loss, each task's metrics and weights.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"epoch {Epoch}: loss {TrainLoss:F4}; {MetricsOn}: ") +
        string.Join("; ", Metrics) +
        string.Create(CultureInfo.InvariantCulture, $"; weights {string.Join(" ", TaskWeights.Select(w => w.ToString("F3", CultureInfo.InvariantCulture)))}");
}

/// <summary>What a <c>Fit</c> did, epoch by epoch.</summary>
/// <param name="Epochs">One report per epoch, in order.</param>
/// <param name="BestEpoch">With early stopping, the epoch whose weights the network holds; otherwise the last.</param>
public sealed record TrainingReport(IReadOnlyList<EpochReport> Epochs, int BestEpoch)
{
    /// <summary>What the training and validation data held, with warnings; see <see cref="DataReport"/>.</summary>
    public DataReport? Data { get; init; }

    /// <summary>The last epoch's report.</summary>
    public EpochReport Final => Epochs[^1];

    /// <summary>What to look at before trusting the model: the final epoch's <see cref="EpochReport.GateWarnings"/> (the data's are in <see cref="Data"/>).</summary>
    public IReadOnlyList<string> Warnings => Epochs.Count > 0 ? Final.GateWarnings : [];

    /// <summary>All epochs, one line each.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var epoch in Epochs)
            text.AppendLine(epoch.ToString());
        foreach (var warning in Warnings)
            text.AppendLine("warning: " + warning);
        return text.ToString();
    }
}
