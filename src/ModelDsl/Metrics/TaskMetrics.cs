using System.Globalization;

namespace ModelDsl.Metrics;

/// <summary>Metrics of one task over one data set.</summary>
/// <param name="Task">Task name.</param>
/// <param name="Kind">Task kind.</param>
/// <param name="Count">Number of samples.</param>
/// <param name="Auc">ROC AUC (binary tasks); the macro one-vs-rest AUC (multiclass tasks).</param>
/// <param name="LogLoss">Mean log loss (binary and multiclass tasks).</param>
/// <param name="Rmse">Root mean squared error (regression tasks).</param>
/// <param name="BaselineRmse">RMSE of predicting the mean label (regression tasks).</param>
/// <param name="Mae">Mean absolute error (regression tasks).</param>
/// <param name="Accuracy">Share of samples whose most likely class is the label (multiclass tasks).</param>
/// <param name="ConditionalAuc">For a <c>Given</c> task: AUC of the conditional probability on the samples whose given event happened (e.g. CVR AUC on clicks); <see cref="Auc"/> is then the joint AUC on all samples (CTCVR AUC).</param>
public sealed record TaskMetrics(string Task, TaskKind Kind, int Count, double? Auc = null, double? LogLoss = null,
    double? Rmse = null, double? BaselineRmse = null, double? ConditionalAuc = null, double? Mae = null, double? Accuracy = null)
{
    /// <summary>A one-line summary such as <c>Click: AUC 0.812, log loss 0.431</c>.</summary>
    public override string ToString() => Kind switch
    {
        TaskKind.Binary => string.Create(CultureInfo.InvariantCulture, $"{Task}: AUC {Auc:F4}, log loss {LogLoss:F4}")
            + (ConditionalAuc is { } c ? string.Create(CultureInfo.InvariantCulture, $", conditional AUC {c:F4}") : ""),
        TaskKind.Multiclass => string.Create(CultureInfo.InvariantCulture, $"{Task}: accuracy {Accuracy:F4}, macro AUC {Auc:F4}, log loss {LogLoss:F4}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Task}: RMSE {Rmse:F4} (mean baseline {BaselineRmse:F4}), MAE {Mae:F4}"),
    };
}
