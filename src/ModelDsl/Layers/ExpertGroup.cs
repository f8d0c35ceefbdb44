using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// Several experts of the same shape evaluated together: the first layer of all experts is one matmul
/// into [batch, experts·units]; later layers are one batched matmul over per-expert weights
/// [experts, in, out]. Input [batch, in]; output [batch, experts, units], as an <see cref="ExpertOutput"/>
/// that a <see cref="GateGroup"/> mixes (its <see cref="ExpertOutput.Activated"/> is the plain output).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class ExpertGroup : nn.Module<Tensor, ExpertOutput>
{
    private readonly Linear first;
    private readonly ParameterList weights;
    private readonly ParameterList biases;
    private readonly int[] _units;
    private readonly Activation _activation;
    private readonly double _dropout;

    /// <summary>Creates the experts.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inputWidth">Width of the input.</param>
    /// <param name="experts">Number of experts.</param>
    /// <param name="units">Units of each expert's layers; at least one.</param>
    /// <param name="regularization">Activation and dropout.</param>
    public ExpertGroup(string name, int inputWidth, int experts, IReadOnlyList<int> units, RegularizationSettings regularization) : base(name)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(regularization);
        Experts = experts;
        _units = units.ToArray();
        first = nn.Linear(inputWidth, experts * _units[0]);
        weights = new ParameterList();
        biases = new ParameterList();
        for (var layer = 1; layer < _units.Length; layer++)
        {
            // Same init as nn.Linear per expert: U(−1/√in, 1/√in).
            var bound = 1 / Math.Sqrt(_units[layer - 1]);
            weights.Add(new Parameter(empty(experts, _units[layer - 1], _units[layer]).uniform_(-bound, bound)));
            biases.Add(new Parameter(empty(experts, _units[layer]).uniform_(-bound, bound)));
        }
        _activation = regularization.Activation;
        _dropout = regularization.Dropout;
        RegisterComponents();
    }

    /// <summary>Units of each expert's layers.</summary>
    internal IReadOnlyList<int> Units => _units;

    /// <summary>Number of experts.</summary>
    public int Experts { get; }

    /// <summary>Width of each expert's output.</summary>
    public int OutputWidth => _units[^1];

    /// <summary>The last layer's weight (of all experts).</summary>
    public Tensor LastWeight => weights.Count > 0 ? weights[^1] : first.weight!;

    /// <summary>
    /// The experts' outputs for their gates' mix: with ReLU, no dropout and more than one layer, the last layer is
    /// left before its bias and activation for the mix to apply (see <see cref="ExpertOutput"/>).
    /// </summary>
    public override ExpertOutput forward(Tensor input)
    {
        var x = Activate(first.forward(input)).reshape(-1, Experts, _units[0]);
        if (weights.Count == 0)
            return new ExpertOutput(x);
        // Later layers run in [experts, batch, units], the layout the batched matmul reads and writes.
        x = x.transpose(0, 1);
        for (var layer = 0; layer < weights.Count - 1; layer++)
            x = Activate(matmul(x, weights[layer]) + biases[layer].unsqueeze(1));
        var last = matmul(x, weights[^1]);
        return _activation == Activation.Relu && (_dropout == 0 || !training)
            ? new ExpertOutput(last, biases[^1])
            : new ExpertOutput(Activate(last + biases[^1].unsqueeze(1)).transpose(0, 1));
    }

    private Tensor Activate(Tensor x) => SeededDropout.Apply(Activations.Apply(x, _activation), _dropout, training);

    /// <summary>Adds the experts to an ONNX graph and returns the [batch, experts, units] output value.</summary>
    public string Export(OnnxGraphBuilder g, string input, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        var name = path ?? GetName();
        var x = g.Reshape(Activations.Export(g, LinearExport.Gemm(g, $"{name}.first", first, input), _activation), Experts, _units[0]);
        for (var layer = 0; layer < weights.Count; layer++)
        {
            var product = g.Node("MatMul", [g.SwapFirstAxes(x), LinearExport.Weight(g, $"{name}.weights.{layer}", weights[layer])]);
            x = Activations.Export(g, g.Node("Add", [g.SwapFirstAxes(product), LinearExport.Weight(g, $"{name}.biases.{layer}", biases[layer])]), _activation);
        }
        return x;
    }
}
