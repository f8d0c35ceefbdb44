using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>A task's tower: hidden layers, then the output units giving the task's logit or value, [batch, 1], or a multiclass task's logit per class, [batch, classes].</summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class Tower : nn.Module<Tensor, Tensor>
{
    private readonly Mlp hidden;
    private readonly Linear output;

    /// <summary>Creates the tower.</summary>
    /// <param name="name">The module name.</param>
    /// <param name="inputWidth">Width of what the tower reads.</param>
    /// <param name="units">Units of the hidden layers.</param>
    /// <param name="regularization">Dropout and activation of the hidden layers.</param>
    /// <param name="outputs">Output units: 1, or a multiclass task's classes.</param>
    public Tower(string name, int inputWidth, IReadOnlyList<int> units, RegularizationSettings regularization, int outputs = 1) : base(name)
    {
        hidden = new Mlp("hidden", inputWidth, units, regularization);
        output = nn.Linear(hidden.OutputWidth, outputs);
        RegisterComponents();
    }

    /// <summary>The hidden layers.</summary>
    internal Mlp Hidden => hidden;

    /// <summary>The output layer.</summary>
    internal Linear Output => output;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => output.forward(hidden.forward(input));

    /// <summary>The tower with each hidden layer's units scaled by <paramref name="scales"/>[layer] (PPNet).</summary>
    public Tensor forward(Tensor input, IReadOnlyList<Tensor> scales) => output.forward(hidden.forward(input, scales));

    /// <summary>Adds the tower to an ONNX graph and returns its [batch, outputs] output value.</summary>
    public string Export(OnnxGraphBuilder g, string input, IReadOnlyList<string>? scales = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        return LinearExport.Gemm(g, $"{GetName()}.output", output, hidden.Export(g, input, $"{GetName()}.hidden", scales));
    }

    /// <summary>
    /// Adds all towers of a network to an ONNX graph as one tower: each layer is one Gemm whose weight holds
    /// the towers' weights side by side (block-diagonal where they read separate inputs), so the graph has
    /// a few nodes however many tasks there are. Towers of different depths are exported one by one.
    /// Returns the [batch, columns] output value: the towers' output units side by side, in tower order.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="towers">The towers, in output column order.</param>
    /// <param name="input">What the towers read: one [batch, width] value for all, or with <paramref name="stacked"/> one input per tower, [batch, towers, width].</param>
    /// <param name="stacked">Tower t reads entry t of axis 1 of <paramref name="input"/>.</param>
    /// <param name="scales">PPNet's scales of each layer depth, the towers' units side by side (<see cref="TowerGates"/>), or null.</param>
    public static string ExportAll(OnnxGraphBuilder g, IReadOnlyList<Tower> towers, string input, bool stacked, IReadOnlyList<string>? scales = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(towers);
        var depth = towers[0].hidden.Layers.Count;
        if (towers.Any(t => t.hidden.Layers.Count != depth))
            return g.Concat(towers.Select((t, i) => t.Export(g, stacked ? g.Select(input, i) : input, scales is null ? null : ScalesOf(g, towers, i, scales))).ToArray(), axis: 1);
        var first = depth > 0 ? towers[0].hidden.Layers[0] : towers[0].output;
        var x = stacked ? g.Reshape(input, towers.Count * first.weight!.shape[1]) : input;
        using var _ = no_grad();
        for (var layer = 0; layer <= depth; layer++)
        {
            var linears = towers.Select(t => layer < depth ? t.hidden.Layers[layer] : t.output).ToArray();
            var weights = linears.Select(l => l.weight!).ToArray();
            using var weight = stacked || layer > 0 ? block_diag(weights) : cat(weights, 0);
            using var bias = cat(linears.Select(l => l.bias!).ToArray(), 0);
            x = g.Node("Gemm", [x, LinearExport.Weight(g, $"towers.layers.{layer}.weight", weight), LinearExport.Weight(g, $"towers.layers.{layer}.bias", bias)],
                attributes: OnnxGraphBuilder.Attribute("transB", 1L));
            if (layer < depth)
                x = Activations.Export(g, x, towers[0].hidden.Activation);
            if (layer < depth && scales is not null)
                x = g.Mul(x, scales[layer]);
        }
        return x;
    }

    /// <summary>Tower <paramref name="tower"/>'s columns of each depth's scales.</summary>
    private static string[] ScalesOf(OnnxGraphBuilder g, IReadOnlyList<Tower> towers, int tower, IReadOnlyList<string> scales)
    {
        var units = towers.Select(t => (IReadOnlyList<int>)t.hidden.Layers.Select(l => (int)l.weight!.shape[0]).ToArray()).ToArray();
        return units[tower].Select((u, l) =>
        {
            var start = TowerGates.Start(units, tower, l);
            return g.Node("Slice", [scales[l], g.ConstantOnce($"start_{start}", [start]), g.ConstantOnce($"start_{start + u}", [start + u]), g.ConstantOnce("axes_1", [1])]);
        }).ToArray();
    }
}
