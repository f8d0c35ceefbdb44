using System;
using System.Collections.Generic;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// A softmax gate over experts (MMoE, PLE): optional hidden layers, then a linear map to one score per
/// expert and a softmax. <see cref="Mix"/> applies it: Σᵢ gᵢ·expertᵢ.
/// </summary>
public sealed class Gate : nn.Module<Tensor, Tensor>
{
    private readonly Mlp hidden;
    private readonly Linear scores;

    /// <summary>Creates the gate.</summary>
    public Gate(string name, int inputWidth, int experts, IReadOnlyList<int> units, RegularizationSettings regularization) : base(name)
    {
        hidden = new Mlp("hidden", inputWidth, units, regularization);
        scores = nn.Linear(hidden.OutputWidth, experts);
        RegisterComponents();
    }

    /// <summary>Expert weights [batch, experts], each row summing to 1.</summary>
    public override Tensor forward(Tensor input) => nn.functional.softmax(scores.forward(hidden.forward(input)), 1);

    /// <summary>Gated sum of expert outputs: gates [batch, experts] and experts [batch, experts, units] give [batch, units].</summary>
    public Tensor Mix(Tensor input, Tensor experts)
    {
        ArgumentNullException.ThrowIfNull(experts);
        return matmul(forward(input).unsqueeze(1), experts).squeeze(1);
    }

    /// <summary>Adds the gated sum to an ONNX graph and returns its [batch, units] output value.</summary>
    public string ExportMix(OnnxGraphBuilder g, string input, string experts, int units, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        var name = path ?? GetName();
        var gates = g.Softmax(LinearExport.Gemm(g, $"{name}.scores", scores, hidden.Export(g, input, $"{name}.hidden")));
        var weighted = g.Node("MatMul", [g.Node("Unsqueeze", [gates, g.ConstantOnce("axes_1", [1])]), experts]);
        return g.Reshape(weighted, units);
    }
}
