using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// Fully connected layers, each followed by the activation and (in training) dropout: the shared
/// bottom and the hidden part of every tower.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> layers;
    private readonly Activation _activation;
    private readonly double _dropout;

    /// <summary>Creates the layers.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inputWidth">Width of the input.</param>
    /// <param name="units">Units of each layer; may be empty (identity).</param>
    /// <param name="regularization">Activation and dropout.</param>
    public Mlp(string name, int inputWidth, IReadOnlyList<int> units, RegularizationSettings regularization) : base(name)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(regularization);
        var widths = units.Prepend(inputWidth).ToArray();
        layers = nn.ModuleList(Enumerable.Range(0, units.Count).Select(i => nn.Linear(widths[i], widths[i + 1])).ToArray());
        _activation = regularization.Activation;
        _dropout = regularization.Dropout;
        OutputWidth = widths[^1];
        RegisterComponents();
    }

    /// <summary>Width of the output: the last layer's units, or the input width when there are no layers.</summary>
    public int OutputWidth { get; }

    /// <summary>The layers, in order.</summary>
    internal ModuleList<Linear> Layers => layers;

    /// <summary>The layers' activation when they have no dropout, as <see cref="FusedMixture"/> computes towers; else null.</summary>
    internal Activation? PlainActivation => _dropout == 0 ? _activation : null;

    /// <summary>The activation after each layer.</summary>
    internal Activation Activation => _activation;

    /// <summary>The last layer's weight.</summary>
    public Tensor LastWeight => layers[^1].weight!;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => forward(input, null);

    /// <summary>The layers, each layer's activated units multiplied by <paramref name="scales"/>[layer] before dropout (PPNet's gates), when given.</summary>
    public Tensor forward(Tensor input, IReadOnlyList<Tensor>? scales)
    {
        var x = input;
        for (var i = 0; i < layers.Count; i++)
        {
            x = Activations.Apply(layers[i].forward(x), _activation);
            if (scales is not null)
                x = x * scales[i];
            x = SeededDropout.Apply(x, _dropout, training);
        }
        return x;
    }

    /// <summary>Adds the layers to an ONNX graph (dropout is the identity at inference) and returns the output value.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="input">The input value.</param>
    /// <param name="path">Prefix of the weights' names; the module name when null (top-level modules).</param>
    /// <param name="scales">Each layer's scales, or null.</param>
    public string Export(OnnxGraphBuilder g, string input, string? path = null, IReadOnlyList<string>? scales = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        var x = input;
        for (var i = 0; i < layers.Count; i++)
        {
            x = Activations.Export(g, LinearExport.Gemm(g, $"{path ?? GetName()}.layers.{i}", layers[i], x), _activation);
            if (scales is not null)
                x = g.Mul(x, scales[i]);
        }
        return x;
    }
}
