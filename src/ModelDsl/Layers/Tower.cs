using System;
using System.Collections.Generic;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>A task's tower: hidden layers, then one output unit giving the task's logit or value, [batch, 1].</summary>
public sealed class Tower : nn.Module<Tensor, Tensor>
{
    private readonly Mlp hidden;
    private readonly Linear output;

    /// <summary>Creates the tower.</summary>
    public Tower(string name, int inputWidth, IReadOnlyList<int> units, RegularizationSettings regularization) : base(name)
    {
        hidden = new Mlp("hidden", inputWidth, units, regularization);
        output = nn.Linear(hidden.OutputWidth, 1);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => output.forward(hidden.forward(input));

    /// <summary>Adds the tower to an ONNX graph and returns its [batch, 1] output value.</summary>
    public string Export(OnnxGraphBuilder g, string input)
    {
        ArgumentNullException.ThrowIfNull(g);
        return LinearExport.Gemm(g, $"{GetName()}.output", output, hidden.Export(g, input, $"{GetName()}.hidden"));
    }
}
