using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// PEPNet's Gate Neural Unit over prior features: δ = γ·σ(W₂·ReLU(W₁·[prior, sg(general)] + b₁) + b₂) with γ = 2,
/// so what it scales is multiplied by (0, 2) and by 1 where the scores are 0. The prior columns are taken from
/// the network's embedded input with their gradient; the general input is read without it (stop-gradient), so
/// the gate adapts to it without pulling the shared embeddings toward what suits the gate.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class PriorGate : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>The paper's γ: the largest scale a gate gives.</summary>
    public const float Scale = 2;

    private readonly Linear hidden;
    private readonly Linear output;
    private readonly long[] _priorColumns;

    /// <summary>Creates the gate.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="priorColumns">Columns of the embedded input that hold the prior features.</param>
    /// <param name="generalWidth">Width of the general input.</param>
    /// <param name="units">Units of the hidden layer.</param>
    /// <param name="outputWidth">Values the gate scales.</param>
    public PriorGate(string name, IReadOnlyList<int> priorColumns, int generalWidth, int units, int outputWidth) : base(name)
    {
        ArgumentNullException.ThrowIfNull(priorColumns);
        _priorColumns = priorColumns.Select(c => (long)c).ToArray();
        hidden = nn.Linear(_priorColumns.Length + generalWidth, units);
        output = nn.Linear(units, outputWidth);
        RegisterComponents();
    }

    /// <summary>Columns of the embedded input that hold the prior features.</summary>
    internal IReadOnlyList<long> PriorColumns => _priorColumns;

    /// <summary>Units of the hidden layer.</summary>
    internal int Units => (int)hidden.weight!.shape[0];

    /// <summary>The scales, [batch, outputWidth], from the embedded input (for the priors) and the general input.</summary>
    public override Tensor forward(Tensor embedded, Tensor general)
    {
        using var index = tensor(_priorColumns, device: embedded.device);
        using var priors = embedded.index_select(1, index);
        using var stopped = general.detach();
        using var x = cat(new[] { priors, stopped }, 1);
        using var h = nn.functional.relu(hidden.forward(x));
        using var scores = output.forward(h);
        return scores.sigmoid().mul(Scale); // not in place: sigmoid's backward reads its output
    }

    /// <summary>Adds the gate to an ONNX graph (the stop-gradient is the identity there) and returns the scales' value.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="embedded">The embedded input.</param>
    /// <param name="general">The general input.</param>
    /// <param name="path">Prefix of the weights' names; the module name when null (top-level modules).</param>
    public string Export(OnnxGraphBuilder g, string embedded, string general, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        path ??= GetName();
        var priors = g.Node("Gather", [embedded, g.Constant($"{path}.prior_columns", _priorColumns, _priorColumns.Length)],
            attributes: OnnxGraphBuilder.Attribute("axis", 1L));
        var x = g.Concat([priors, general], axis: 1);
        var h = g.Node("Relu", [LinearExport.Gemm(g, $"{path}.hidden", hidden, x)]);
        return g.Mul(g.Sigmoid(LinearExport.Gemm(g, $"{path}.output", output, h)), g.FloatOnce("gate_scale", Scale));
    }
}
