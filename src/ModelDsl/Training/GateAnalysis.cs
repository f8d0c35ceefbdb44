using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Layers;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// Sums the expert weights every <see cref="GateGroup"/> of a network computes while observed (an evaluation
/// pass, in evaluation mode without gradients) and turns them into <see cref="GateStatistics"/>. It reads the
/// weights the gates' own forward computes and draws nothing from any generator, so training is unchanged.
/// </summary>
internal sealed class GateAnalysis
{
    private readonly (GateGroup Group, int Level, double[] Sums)[] _groups;
    private readonly ModelSchema _schema;
    private long _rows;

    private GateAnalysis(ModelSchema schema, (GateGroup Group, int Level, double[] Sums)[] groups) => (_schema, _groups) = (schema, groups);

    /// <summary>The analysis of <paramref name="network"/>'s gates: PLE's per level, else MMoE's or OMoE's one group; null without gates (Shared-Bottom, ESMM).</summary>
    public static GateAnalysis? For(MultiTaskNetwork network)
    {
        // Generated levels are fields level_0, level_1, …: order by name length, then name, for level_10 after level_9.
        var levels = network.named_modules().Select(m => (m.name, Level: m.module as ExtractionLevel)).Where(m => m.Level is not null)
            .OrderBy(m => m.name.Length).ThenBy(m => m.name, StringComparer.Ordinal).Select(m => m.Level!.Gates).ToArray();
        var groups = levels.Length > 0 ? levels : network.modules().OfType<GateGroup>().ToArray();
        return groups.Length == 0 ? null
            : new GateAnalysis(network.Schema, groups.Select((g, level) => (g, level, new double[g.Gates * g.Experts])).ToArray());
    }

    /// <summary>Observes the gates until disposed.</summary>
    public IDisposable Observe()
    {
        foreach (var (group, _, sums) in _groups)
            group.Observer = weights => Add(weights, sums, group == _groups[0].Group);
        return new Detach(_groups);
    }

    /// <summary>The statistics of what was observed since the last call, then starts over.</summary>
    public IReadOnlyList<GateStatistics> Take()
    {
        var tasks = _schema.Tasks;
        var statistics = new List<GateStatistics>();
        foreach (var (group, level, sums) in _groups)
        {
            for (var g = 0; g < group.Gates; g++)
            {
                var mean = sums.AsSpan(g * group.Experts, group.Experts).ToArray().Select(s => s / _rows).ToArray();
                var name = g < tasks.Count && group.Gates >= tasks.Count ? tasks[g].Name : "shared";
                statistics.Add(new GateStatistics(name, level, group.Members(g), mean, GateStatistics.EntropyOf(mean)));
            }
            Array.Clear(sums);
        }
        _rows = 0;
        return statistics;
    }

    private void Add(Tensor weights, double[] sums, bool countRows)
    {
        using var batch = weights.detach().sum(0, type: ScalarType.Float64).cpu();
        var values = batch.data<double>();
        for (var i = 0; i < sums.Length; i++)
            sums[i] += values[i];
        if (countRows)
            _rows += weights.shape[0];
    }

    private sealed class Detach((GateGroup Group, int Level, double[] Sums)[] groups) : IDisposable
    {
        public void Dispose()
        {
            foreach (var (group, _, _) in groups)
                group.Observer = null;
        }
    }
}
