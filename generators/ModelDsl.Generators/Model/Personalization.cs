using System.Collections.Generic;
using System.Linq;

namespace ModelDsl.Generators.Model;

/// <summary>
/// PEPNet's gates as the network builds them, derived from a spec: the fields, the embedded input's columns
/// that hold the prior features, and each gate's widths. The emitters and <see cref="ModelSummary"/> read them here.
/// </summary>
internal static class Personalization
{
    /// <summary>The EPNet gate's field (state_dict prefix).</summary>
    public const string EmbeddingField = "epnet";

    /// <summary>The PPNet gates' field (state_dict prefix).</summary>
    public const string TowerField = "ppnet";

    /// <summary>
    /// Columns of the embedded input that hold <paramref name="priors"/>, in the order named: a categorical
    /// feature's embedding (pooled, for a sequence), a numeric feature's numbers after its transforms.
    /// </summary>
    public static IReadOnlyList<int> PriorColumns(ModelLayout layout, PersonalizationSpec priors)
    {
        var columns = new Dictionary<string, (int Start, int Width)>();
        var start = 0;
        foreach (var feature in layout.Categorical.Concat(layout.Numeric))
        {
            var width = feature.Kind == FeatureKind.Categorical ? feature.Dim : feature.Width;
            columns[feature.Name] = (start, width);
            start += width;
        }
        return priors.Priors.SelectMany(p => Enumerable.Range(columns[p].Start, columns[p].Width)).ToList();
    }

    /// <summary>Hidden units of the EPNet gate: as set, or the input's width.</summary>
    public static int EmbeddingGateUnits(PersonalizationSpec gate, ModelLayout layout) => gate.GateUnits > 0 ? gate.GateUnits : layout.InputWidth;

    /// <summary>Per tower layer depth, the units the PPNet gate of that depth scales: every tower's units there.</summary>
    public static IReadOnlyList<int> TowerGateWidths(ModelSpec spec)
    {
        var depth = spec.Tasks.Max(t => t.Tower.Count);
        return Enumerable.Range(0, depth).Select(l => spec.Tasks.Where(t => t.Tower.Count > l).Sum(t => t.Tower[l])).ToList();
    }

    /// <summary>Per tower layer depth, the hidden units of the PPNet gate: as set, or the units it scales.</summary>
    public static IReadOnlyList<int> TowerGateUnits(ModelSpec spec, PersonalizationSpec gate) =>
        TowerGateWidths(spec).Select(w => gate.GateUnits > 0 ? gate.GateUnits : w).ToList();
}
