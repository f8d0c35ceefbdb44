using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// PEPNet's PPNet: one <see cref="PriorGate"/> per tower layer depth, scaling the hidden units of every tower
/// that has a layer there. Gate <c>l</c>'s columns are the towers' layer-<c>l</c> units side by side in task
/// order, as <see cref="Tower.ExportAll"/> lays out a layer of all towers.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class TowerGates : nn.Module
{
    private readonly ModuleList<PriorGate> layers;
    private readonly int[][] _towers;

    /// <summary>Creates the gates.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="priorColumns">Columns of the embedded input that hold the prior features.</param>
    /// <param name="generalWidth">Width of the input the gates read without its gradient.</param>
    /// <param name="gateUnits">Hidden units of each depth's gate.</param>
    /// <param name="towers">Each task's tower units, in task order.</param>
    public TowerGates(string name, IReadOnlyList<int> priorColumns, int generalWidth, IReadOnlyList<int> gateUnits, IReadOnlyList<IReadOnlyList<int>> towers) : base(name)
    {
        ArgumentNullException.ThrowIfNull(gateUnits);
        ArgumentNullException.ThrowIfNull(towers);
        _towers = towers.Select(t => t.ToArray()).ToArray();
        layers = nn.ModuleList(gateUnits.Select((units, l) =>
            new PriorGate(l.ToString(System.Globalization.CultureInfo.InvariantCulture), priorColumns, generalWidth, units, Width(_towers, l))).ToArray());
        RegisterComponents();
    }

    /// <summary>The gate of each depth.</summary>
    internal ModuleList<PriorGate> Layers => layers;

    /// <summary>Per task, the scales of each of its tower's hidden layers.</summary>
    public Tensor[][] forward(Tensor embedded, Tensor general)
    {
        var scales = layers.Select(gate => gate.forward(embedded, general)).ToArray();
        return _towers.Select((units, t) => units.Select((u, l) => scales[l].narrow(1, Start(_towers, t, l), u)).ToArray()).ToArray();
    }

    /// <summary>Adds the gates to an ONNX graph and returns each depth's scales, as <see cref="Tower.ExportAll"/> takes them.</summary>
    public string[] Export(OnnxGraphBuilder g, string embedded, string general)
    {
        ArgumentNullException.ThrowIfNull(g);
        return layers.Select((gate, l) => gate.Export(g, embedded, general, $"{GetName()}.layers.{l}")).ToArray();
    }

    /// <summary>Columns of depth <paramref name="layer"/>'s gate: the units of every tower that reaches it.</summary>
    public static int Width(IReadOnlyList<IReadOnlyList<int>> towers, int layer) =>
        towers.Where(t => t.Count > layer).Sum(t => t[layer]);

    /// <summary>First column of tower <paramref name="tower"/>'s layer <paramref name="layer"/> in that depth's gate.</summary>
    public static int Start(IReadOnlyList<IReadOnlyList<int>> towers, int tower, int layer) =>
        towers.Take(tower).Where(t => t.Count > layer).Sum(t => t[layer]);
}
