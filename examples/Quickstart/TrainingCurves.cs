using System.IO;
using System.Linq;
using ModelDsl;
using ModelDsl.Training;

namespace Quickstart;

/// <summary>Saves each task's validation curve (AUC or RMSE per epoch) and its training loss as a PNG with ScottPlot.</summary>
internal static class TrainingCurves
{
    public static string[] Save(TrainingReport report, ModelSchema schema, string folder)
    {
        Directory.CreateDirectory(folder);
        var epochs = report.Epochs.Select(e => (double)e.Epoch).ToArray();
        return schema.Tasks.Select((task, t) =>
        {
            var plot = new ScottPlot.Plot();
            var binary = task.Kind == TaskKind.Binary;
            var metric = plot.Add.Scatter(epochs, report.Epochs.Select(e => binary ? e[task.Name].Auc!.Value : e[task.Name].Rmse!.Value).ToArray());
            metric.LegendText = $"validation {(binary ? "AUC" : "RMSE")}";
            var loss = plot.Add.Scatter(epochs, report.Epochs.Select(e => e.TaskLosses[t]).ToArray());
            loss.LegendText = $"training loss ({(binary ? "log loss" : "MSE")})";
            plot.Title($"{schema.Name}.{task.Name}");
            plot.XLabel("epoch");
            plot.ShowLegend();
            var path = Path.Combine(folder, $"{task.Name}.png");
            plot.SavePng(path, 640, 400);
            return path;
        }).ToArray();
    }
}
