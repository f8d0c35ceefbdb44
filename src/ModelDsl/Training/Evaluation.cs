using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using ModelDsl.Layers;
using ModelDsl.Metrics;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>Per-task metrics of a network on labelled tables: AUC and log loss (with the conditional AUC of Given tasks), RMSE and MAE, or accuracy, macro AUC and log loss.</summary>
internal sealed class Evaluation(MultiTaskNetwork network, int batchSize, Device device)
{
    private ModelSchema Schema => network.Schema;

    /// <summary>Metrics over every row of one pass over in-memory or streamed tables.</summary>
    /// <param name="pass">The tables.</param>
    /// <param name="gates">Observes the network's gates during the pass (<see cref="GateAnalysis.Take"/> then reads them), or null.</param>
    public TaskMetrics[] Run(IEnumerable<SampleTable> pass, GateAnalysis? gates = null)
    {
        var tasks = Schema.Tasks;
        // Served columns: an output's first column, so a multiclass task's main is its first class's probability.
        var main = tasks.Select((_, t) => Column(Schema, t, OutputKind.Probability, OutputKind.Value, OutputKind.ClassProbabilities)).ToArray();
        var conditional = tasks.Select((_, t) => Column(Schema, t, OutputKind.Conditional)).ToArray();
        var binary = tasks.Select(t => t.Kind == TaskKind.Binary ? new BinaryMetrics() : null).ToArray();
        var conditionalMetrics = tasks.Select(t => t.Given >= 0 ? new BinaryMetrics() : null).ToArray();
        var regression = tasks.Select(t => t.Kind == TaskKind.Regression ? new RegressionMetrics() : null).ToArray();
        var multiclass = tasks.Select(t => t.Kind == TaskKind.Multiclass ? new MulticlassMetrics(t.Classes) : null).ToArray();
        var chains = Chains(Schema);
        using var batch = new BatchTensors(batchSize, Schema, device);
        using var observing = gates?.Observe();
        long count = 0;
        foreach (var table in pass)
        {
            count += table.Rows;
            var rows = Enumerable.Range(0, table.Rows).ToArray();
            for (var start = 0; start < rows.Length; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var span = rows.AsSpan(start, Math.Min(batchSize, rows.Length - start));
                var (categorical, numeric, _, _) = batch.Fill(table, span);
                var predicted = network.Predict(categorical, numeric).cpu().contiguous();
                var values = MemoryMarshal.Cast<byte, float>(predicted.bytes);
                for (var i = 0; i < span.Length; i++)
                {
                    var row = values.Slice(i * Schema.ServedColumns, Schema.ServedColumns);
                    var labels = table.Labels.AsSpan(span[i] * tasks.Count, tasks.Count);
                    for (var t = 0; t < tasks.Count; t++)
                    {
                        var given = tasks[t].Given;
                        binary[t]?.Add(row[main[t]], JointLabel(chains[t], labels));
                        regression[t]?.Add(row[main[t]], labels[t]);
                        multiclass[t]?.Add(row.Slice(main[t], tasks[t].Classes), (int)labels[t]);
                        if (given >= 0 && JointLabel(chains[given], labels) > 0.5f)
                            conditionalMetrics[t]!.Add(row[conditional[t]], labels[t]);
                    }
                }
            }
        }
        if (count == 0)
            throw SampleTable.Empty("evaluation sample", "samples");
        var n = checked((int)count);
        return tasks.Select((task, t) => task.Kind switch
        {
            TaskKind.Binary => new TaskMetrics(task.Name, task.Kind, n, Auc: binary[t]!.Auc, LogLoss: binary[t]!.LogLoss,
                ConditionalAuc: conditionalMetrics[t]?.Auc),
            TaskKind.Multiclass => new TaskMetrics(task.Name, task.Kind, n, Auc: multiclass[t]!.Auc, LogLoss: multiclass[t]!.LogLoss, Accuracy: multiclass[t]!.Accuracy),
            _ => new TaskMetrics(task.Name, task.Kind, n, Rmse: regression[t]!.Rmse, BaselineRmse: regression[t]!.MeanBaselineRmse, Mae: regression[t]!.Mae),
        }).ToArray();
    }

    /// <summary>
    /// AUC is undefined (NaN) when the labels are all one class, so early stopping on it would never see
    /// an improvement: refuse such a validation set before training rather than stop on noise.
    /// </summary>
    public static void RequireBothClasses(ModelSchema schema, SampleTable validation, int task, string argument)
    {
        if (schema.Tasks[task].Kind == TaskKind.Multiclass)
        {
            RequireTwoClasses(schema, validation, task, argument);
            return;
        }
        var positives = 0;
        var chain = Chains(schema)[task];
        for (var row = 0; row < validation.Rows; row++)
            if (JointLabel(chain, validation.Labels.AsSpan(row * schema.Tasks.Count, schema.Tasks.Count)) > 0.5f)
                positives++;
        if (positives == 0 || positives == validation.Rows)
            throw new ArgumentException(
                $"EarlyStopping watches the AUC of '{schema.Tasks[task].Name}', which is undefined on this validation set: all {validation.Rows} samples are "
                + $"{(positives == 0 ? "negative" : "positive")}. Pass validation samples of both classes, or watch {nameof(Metric.LogLoss)}.",
                argument);
    }

    /// <summary>The macro AUC of a multiclass task needs at least two classes among the labels.</summary>
    private static void RequireTwoClasses(ModelSchema schema, SampleTable validation, int task, string argument)
    {
        var tasks = schema.Tasks.Count;
        var first = validation.Rows > 0 ? validation.Labels[task] : 0;
        for (var row = 1; row < validation.Rows; row++)
            if (validation.Labels[row * tasks + task] != first)
                return;
        throw new ArgumentException(
            $"EarlyStopping watches the AUC of '{schema.Tasks[task].Name}', which is undefined on this validation set: all {validation.Rows} samples are class {first}. "
            + $"Pass validation samples of several classes, or watch {nameof(Metric.LogLoss)}.",
            argument);
    }

    /// <summary>Each task's Given chain, the task first, walked once per evaluation rather than per row.</summary>
    private static int[][] Chains(ModelSchema schema) =>
        schema.Tasks.Select((_, t) => GivenChain.Of(t, i => schema.Tasks[i].Given).ToArray()).ToArray();

    /// <summary>A binary task's label times the labels along its Given chain: did the joint event happen.</summary>
    private static float JointLabel(int[] chain, ReadOnlySpan<float> labels)
    {
        var label = 1f;
        foreach (var t in chain)
            label *= labels[t];
        return label;
    }

    /// <summary>The first served column of the task's output of one of <paramref name="kinds"/>, or −1.</summary>
    private static int Column(ModelSchema schema, int task, params OutputKind[] kinds)
    {
        for (var o = 0; o < schema.Outputs.Count; o++)
            if (schema.Outputs[o].Task == task && kinds.Contains(schema.Outputs[o].Kind))
                return schema.OutputColumns[o];
        return -1;
    }
}
