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
/// that a <see cref="GateGroup"/> mixes (its <see cref="ExpertOutput.Activated"/> is the plain output). With HoME's
/// normalization the last layer is batch-normalized and goes through Swish instead of the model's activation.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class ExpertGroup : nn.Module<Tensor, ExpertOutput>
{
    private readonly Linear first;
    private readonly ParameterList weights;
    private readonly ParameterList biases;
    private readonly ExpertNormalization? normalization;
    private readonly int[] _units;
    private readonly Activation _activation;
    private readonly double _dropout;

    /// <summary>Creates the experts.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inputWidth">Width of the input.</param>
    /// <param name="experts">Number of experts.</param>
    /// <param name="units">Units of each expert's layers; at least one.</param>
    /// <param name="regularization">Activation and dropout.</param>
    /// <param name="normalize">
    /// HoME's expert normalization: each expert's last layer is batch-normalized per unit, then Swish (see <see cref="Normalization"/>).
    /// </param>
    public ExpertGroup(string name, int inputWidth, int experts, IReadOnlyList<int> units, RegularizationSettings regularization, bool normalize = false) : base(name)
    {
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(regularization);
        Experts = experts;
        _units = units.ToArray();
        // A normalized last layer has no bias: the normalization's shift replaces it, and a bias before it would get a gradient
        // of 0 in exact arithmetic, float noise in practice, which Adam would turn into steps of the learning rate.
        first = nn.Linear(inputWidth, experts * _units[0], hasBias: !normalize || _units.Length > 1);
        weights = new ParameterList();
        biases = new ParameterList();
        for (var layer = 1; layer < _units.Length; layer++)
        {
            // Same init as nn.Linear per expert: U(−1/√in, 1/√in).
            var bound = 1 / Math.Sqrt(_units[layer - 1]);
            weights.Add(new Parameter(empty(experts, _units[layer - 1], _units[layer]).uniform_(-bound, bound)));
            if (!normalize || layer < _units.Length - 1)
                biases.Add(new Parameter(empty(experts, _units[layer]).uniform_(-bound, bound)));
        }
        _activation = regularization.Activation;
        _dropout = regularization.Dropout;
        if (normalize)
            normalization = new ExpertNormalization("normalization", experts * _units[^1]);
        RegisterComponents();
    }

    /// <summary>Units of each expert's layers.</summary>
    internal IReadOnlyList<int> Units => _units;

    /// <summary>Number of experts.</summary>
    public int Experts { get; }

    /// <summary>HoME's normalization of the experts' last layer, or null.</summary>
    internal ExpertNormalization? Normalization => normalization;

    /// <summary>Width of each expert's output.</summary>
    public int OutputWidth => _units[^1];

    /// <summary>The layers' activation when they have no dropout and no normalization, as <see cref="FusedMixture"/> computes experts; else null.</summary>
    internal Activation? PlainActivation => _dropout == 0 && normalization is null ? _activation : null;

    /// <summary>Each layer's weight then bias, in layer order: the first layer's [experts·units, in], later ones' [experts, in, out].</summary>
    internal IEnumerable<Parameter> LayerParameters()
    {
        yield return first.weight!;
        yield return first.bias!;
        for (var layer = 0; layer < weights.Count; layer++)
        {
            yield return weights[layer];
            yield return biases[layer];
        }
    }

    /// <summary>The last layer's weight (of all experts).</summary>
    public Tensor LastWeight => weights.Count > 0 ? weights[^1] : first.weight!;

    /// <summary>
    /// The experts' outputs for their gates' mix: with ReLU, no dropout, no normalization and more than one layer, the
    /// last layer is left before its bias and activation for the mix to apply (see <see cref="ExpertOutput"/>).
    /// </summary>
    public override ExpertOutput forward(Tensor input)
    {
        var x = first.forward(input);
        if (weights.Count == 0)
            return new ExpertOutput((normalization is null ? Activate(x) : Normalize(x)).reshape(-1, Experts, _units[0]));
        x = Activate(x).reshape(-1, Experts, _units[0]);
        // Later layers run in [experts, batch, units], the layout the batched matmul reads and writes.
        x = x.transpose(0, 1);
        for (var layer = 0; layer < weights.Count - 1; layer++)
            x = Activate(matmul(x, weights[layer]) + biases[layer].unsqueeze(1));
        var last = matmul(x, weights[^1]);
        if (normalization is not null)
            return new ExpertOutput(Normalize(last.transpose(0, 1).reshape(last.shape[1], -1)).reshape(-1, Experts, OutputWidth));
        return _activation == Activation.Relu && (_dropout == 0 || !training)
            ? new ExpertOutput(last, biases[^1])
            : new ExpertOutput(Activate(last + biases[^1].unsqueeze(1)).transpose(0, 1));
    }

    private Tensor Activate(Tensor x) => SeededDropout.Apply(Activations.Apply(x, _activation), _dropout, training);

    /// <summary>The last layer, [batch, experts·units]: normalized, then Swish and dropout.</summary>
    private Tensor Normalize(Tensor x) => SeededDropout.Apply(Activations.Apply(normalization!.forward(x), Activation.Swish), _dropout, training);

    /// <summary>Adds the experts to an ONNX graph and returns the [batch, experts, units] output value.</summary>
    public string Export(OnnxGraphBuilder g, string input, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        var name = path ?? GetName();
        var x = LinearExport.Gemm(g, $"{name}.first", first, input);
        x = weights.Count == 0 && normalization is not null ? ExportNormalized(g, x, name) : g.Reshape(Activations.Export(g, x, _activation), Experts, _units[0]);
        for (var layer = 0; layer < weights.Count; layer++)
        {
            var product = g.SwapFirstAxes(g.Node("MatMul", [g.SwapFirstAxes(x), LinearExport.Weight(g, $"{name}.weights.{layer}", weights[layer])]));
            x = layer == weights.Count - 1 && normalization is not null
                ? ExportNormalized(g, g.Reshape(product, Experts * OutputWidth), name)
                : Activations.Export(g, g.Node("Add", [product, LinearExport.Weight(g, $"{name}.biases.{layer}", biases[layer])]), _activation);
        }
        return x;
    }

    /// <summary>The last layer before its activation, [batch, experts·units], normalized and through Swish: [batch, experts, units].</summary>
    private string ExportNormalized(OnnxGraphBuilder g, string x, string name) =>
        g.Reshape(Activations.Export(g, normalization!.Export(g, x, $"{name}.normalization"), Activation.Swish), Experts, OutputWidth);
}
