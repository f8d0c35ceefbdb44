using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl;
using ModelDsl.Training;
using ScottPlot;

namespace Quickstart;

/// <summary>
/// Saves one PNG per task with ScottPlot, in two panels over whole epochs: the losses (training, and the
/// evaluated set's loss of the same unit: log loss, or MSE), with their legend above the data; and the
/// evaluated metric (AUC, or RMSE) on an axis of its own.
/// </summary>
internal static class TrainingCurves
{
    public static string[] Save(TrainingReport report, ModelSchema schema, string folder)
    {
        Directory.CreateDirectory(folder);
        var epochs = report.Epochs.Select(e => (double)e.Epoch).ToArray();
        var on = report.Epochs.Count > 0 ? report.Epochs[0].MetricsOn : "validation";
        return schema.Tasks.Select((task, t) =>
        {
            var binary = task.Kind == TaskKind.Binary;
            var (unit, metric) = binary ? ("log loss", "AUC") : ("MSE", "RMSE");
            var figure = new Multiplot();
            figure.AddPlots(2);
            var (losses, scores) = (figure.GetPlot(0), figure.GetPlot(1));

            Line(losses, epochs, report.Epochs.Select(e => e.TaskLosses[t]), $"training {unit}");
            Line(losses, epochs, report.Epochs.Select(e => binary ? e[task.Name].LogLoss!.Value : Math.Pow(e[task.Name].Rmse!.Value, 2)), $"{on} {unit}");
            losses.Title($"{schema.Name}.{task.Name}");
            losses.YLabel(unit);
            losses.ShowLegend(Edge.Top);   // outside the data area, so it never covers the last epochs

            // One series: its axis names it, and no legend sits on the data.
            Line(scores, epochs, report.Epochs.Select(e => binary ? e[task.Name].Auc!.Value : e[task.Name].Rmse!.Value), label: null);
            scores.YLabel($"{on} {metric}");
            scores.XLabel("epoch");

            var path = Path.Combine(folder, $"{task.Name}.png");
            figure.SavePng(path, 640, 640);
            return path;
        }).ToArray();
    }

    /// <summary>One series with a marker per epoch, on an x axis that ticks whole epochs only (no minor ticks between them).</summary>
    private static void Line(Plot plot, double[] epochs, IEnumerable<double> values, string? label)
    {
        var line = plot.Add.Scatter(epochs, values.ToArray());
        line.LegendText = label ?? "";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Bottom.MinorTickStyle.Length = 0;
    }
}
