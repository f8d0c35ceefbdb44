using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelDsl.Training;
using ScottPlot;

namespace MmoeSynthetic;

/// <summary>
/// Saves a level's gates as grouped bars with ScottPlot: each expert's mean gate weight, one colour per gate, with
/// the collapse share that <see cref="GateStatistics.Warnings"/> warns at drawn across.
/// </summary>
internal static class GatePlot
{
    public static string Save(IReadOnlyList<GateStatistics> gates, string title, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / gates.Count;
        for (var g = 0; g < gates.Count; g++)
        {
            var gate = gates[g];
            var offset = (g - (gates.Count - 1) / 2.0) * width;
            var bars = plot.Add.Bars(gate.Experts.Select((expert, i) => new Bar
            {
                Position = expert + offset, Value = gate.MeanWeights[i], Size = width * 0.9, FillColor = palette.GetColor(g),
            }).ToArray());
            bars.LegendText = string.Create(CultureInfo.InvariantCulture, $"{gate.Gate} (level {gate.Level}, entropy {gate.Entropy:F2})");
        }
        var collapse = plot.Add.HorizontalLine(GateStatistics.CollapseShare);
        collapse.LinePattern = LinePattern.Dashed;
        collapse.Color = Colors.Gray;
        collapse.LegendText = "collapse warning";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Bottom.MinorTickStyle.Length = 0;
        plot.Axes.SetLimitsY(0, 1);
        plot.XLabel("expert");
        plot.YLabel("mean gate weight (test set)");
        plot.Title(title);
        plot.ShowLegend(Edge.Right);   // beside the bars, never on them
        plot.SavePng(path, 900, 420);
        return path;
    }
}
