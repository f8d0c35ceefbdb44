using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using ModelDsl.Kernels;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// All softmax gates of one level (MMoE, PLE) evaluated together: each layer of every gate is one matmul
/// (the gates' weights side by side, block-diagonal where the gates read different inputs), then a softmax
/// per gate and one mix of the level's experts for every gate at once.
/// Gate g scores the experts listed in its member list; the others get weight 0.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class GateGroup : nn.Module<Tensor, ExpertOutput, Tensor>
{
    private readonly ModuleList<Linear> layers;
    // Per layer, the name of a buffer with ones on each gate's diagonal block, or null where every gate
    // reads the whole input. Off-block weights start at 0 and, multiplied by the mask in forward, never get a gradient.
    private readonly string?[] _masks;
    // Where gate g's score for expert e sits in the last layer's output, and 0 or −∞ for experts it does not mix;
    // null when every gate mixes every expert in order.
    private readonly Tensor? scoreIndex;
    private readonly Tensor? scoreFill;
    private readonly long[]? _scoreIndex;
    private readonly float[]? _scoreFill;
    private readonly Activation _activation;
    private readonly double _dropout;

    /// <summary>Creates gates that each mix every one of <paramref name="experts"/> experts, reading one input (MMoE, OMoE).</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inputWidth">Width of the input.</param>
    /// <param name="gates">Number of gates.</param>
    /// <param name="experts">Experts each gate mixes.</param>
    /// <param name="units">Hidden layers of each gate; may be empty.</param>
    /// <param name="regularization">Activation and dropout of the hidden layers.</param>
    public GateGroup(string name, int inputWidth, int gates, int experts, IReadOnlyList<int> units, RegularizationSettings regularization)
        : this(name, inputWidth, Enumerable.Repeat(Enumerable.Range(0, experts).ToArray(), gates).ToArray(), experts, units, separateInputs: false, regularization)
    {
    }

    /// <summary>Creates gates over subsets of a level's experts (PLE).</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inputWidth">Width of each gate's input.</param>
    /// <param name="members">Per gate, the experts it mixes (indices into the level's experts), in the order of its scores.</param>
    /// <param name="experts">Number of experts of the level.</param>
    /// <param name="units">Hidden layers of each gate; may be empty.</param>
    /// <param name="separateInputs">Each gate reads its own input: the input is the gates' inputs side by side, [batch, gates·inputWidth].</param>
    /// <param name="regularization">Activation and dropout of the hidden layers.</param>
    public GateGroup(string name, int inputWidth, IReadOnlyList<IReadOnlyList<int>> members, int experts, IReadOnlyList<int> units,
        bool separateInputs, RegularizationSettings regularization) : base(name)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(regularization);
        Gates = members.Count;
        Experts = experts;
        _activation = regularization.Activation;
        _dropout = regularization.Dropout;

        // Per layer, each gate's input and output widths; a layer is one Linear over all gates.
        var inputs = Enumerable.Repeat(inputWidth, Gates).ToArray();
        var shared = !separateInputs;
        var linears = new List<Linear>();
        var masks = new List<Tensor?>();
        foreach (var outputs in units.Select(u => Enumerable.Repeat(u, Gates).ToArray()).Append(members.Select(m => m.Count).ToArray()))
        {
            var linear = nn.Linear(shared ? inputWidth : inputs.Sum(), outputs.Sum());
            var mask = shared ? null : BlockDiagonal(outputs, inputs);
            if (mask is not null)
            {
                // nn.Linear's init, U(−1/√in, 1/√in), with a gate's own fan-in rather than the whole row's.
                var bound = 1 / Math.Sqrt(inputs[0]);
                using (no_grad())
                {
                    linear.weight!.uniform_(-bound, bound).mul_(mask);
                    linear.bias!.uniform_(-bound, bound);
                }
            }
            linears.Add(linear);
            masks.Add(mask);
            inputs = outputs;
            shared = false;
        }
        layers = nn.ModuleList(linears.ToArray());
        _masks = masks.Select((mask, i) => mask is null ? null : $"mask{i}").ToArray();

        if (members.Any(m => !m.SequenceEqual(Enumerable.Range(0, experts))))
        {
            (_scoreIndex, _scoreFill) = (new long[Gates * experts], new float[Gates * experts]);
            Array.Fill(_scoreFill, float.NegativeInfinity);
            var column = 0;
            for (var g = 0; g < Gates; g++)
            {
                foreach (var e in members[g])
                    (_scoreIndex[g * experts + e], _scoreFill[g * experts + e]) = (column++, 0);
            }
            scoreIndex = tensor(_scoreIndex);
            scoreFill = tensor(_scoreFill);
        }
        RegisterComponents();
        for (var i = 0; i < masks.Count; i++)
        {
            if (masks[i] is { } mask)
                register_buffer(_masks[i]!, mask, persistent: false);
        }
    }

    /// <summary>Number of gates.</summary>
    public int Gates { get; }

    /// <summary>Number of experts the gates choose among.</summary>
    public int Experts { get; }

    /// <summary>The one layer of gates without hidden layers that all read the whole input and score every expert in order (MMoE, OMoE); otherwise null.</summary>
    internal Linear? PlainScores => layers.Count == 1 && _masks[0] is null && scoreIndex is null ? layers[0] : null;

    /// <summary>Units of each gate's hidden layers (each layer holds all gates' units side by side).</summary>
    internal IEnumerable<int> HiddenUnits => layers.Take(layers.Count - 1).Select(l => (int)l.weight!.shape[0] / Gates);

    /// <summary>The gates' expert weights, [batch, gates, experts], each gate's row summing to 1.</summary>
    /// <param name="input">[batch, inputWidth], or the gates' inputs side by side when they read separate inputs.</param>
    public Tensor Weights(Tensor input) => nn.functional.softmax(Scores(input), -1);

    /// <summary>
    /// When set, receives every <see cref="forward"/>'s expert weights, [batch, gates, experts]. Only evaluation
    /// sets it (<c>Training.GateAnalysis</c>): a training step pays one null check.
    /// </summary>
    internal Action<Tensor>? Observer { get; set; }

    /// <summary>The experts gate <paramref name="gate"/> mixes, in expert order.</summary>
    internal int[] Members(int gate) =>
        Enumerable.Range(0, Experts).Where(e => _scoreFill is null || _scoreFill[gate * Experts + e] == 0).ToArray();

    /// <summary>The gates' scores before their softmax, [batch, gates, experts]; −∞ for experts a gate does not mix.</summary>
    private Tensor Scores(Tensor input)
    {
        var x = input;
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            x = _masks[i] is { } mask ? nn.functional.linear(x, layer.weight! * get_buffer(mask)!, layer.bias) : layer.forward(x);
            if (i < layers.Count - 1)
            {
                x = SeededDropout.Apply(Activations.Apply(x, _activation), _dropout, training);
            }
        }
        if (scoreIndex is not null)
            x = x.index_select(1, scoreIndex) + scoreFill!;
        return x.reshape(-1, Gates, Experts);
    }

    /// <summary>Every gate's mix of the experts: [batch, gates, units].</summary>
    /// <remarks>
    /// On the CPU one fused operation, softmax and the experts' deferred bias and ReLU included
    /// (<see cref="ExpertMix"/>); elsewhere a broadcast product and sum rather than a batched matmul, whose
    /// backward over [batch] tiny matrices costs more than the experts' whole forward pass.
    /// </remarks>
    public override Tensor forward(Tensor input, ExpertOutput experts)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (experts.Values is null || experts.Values.dim() != 3 || experts.Batch != input.shape[0] || experts.Experts != Experts)
            throw new ArgumentException($"Experts must be [batch {input.shape[0]}, experts {Experts}, units]; got [{string.Join(", ", experts.Values?.shape ?? [])}].", nameof(experts));
        var scores = Scores(input);
        var weights = Observer is null ? null : nn.functional.softmax(scores, -1);
        if (weights is not null)
            Observer!(weights);
        if (!ExpertMix.Supports(scores, experts.Values, experts.Bias))
            return BroadcastMix(weights ?? nn.functional.softmax(scores, -1), experts.Activated());
        return is_grad_enabled() ? ExpertMix.apply(scores, experts.Values, experts.Bias) : ExpertMix.Compute(scores, experts.Values, experts.Bias);
    }

    /// <summary>The mix as LibTorch operations: [batch, gates, experts, 1] × [batch, 1, experts, units], summed over experts.</summary>
    internal static Tensor BroadcastMix(Tensor weights, Tensor experts) => (weights.unsqueeze(3) * experts.unsqueeze(1)).sum(2);

    /// <summary>Adds <see cref="forward"/> to an ONNX graph and returns its [batch, gates, units] output value.</summary>
    public string Export(OnnxGraphBuilder g, string input, string experts, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        var name = path ?? GetName();
        var x = input;
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            using var weight = _masks[i] is { } mask ? layer.weight! * get_buffer(mask)! : layer.weight!.alias();
            x = g.Node("Gemm", [x, LinearExport.Weight(g, $"{name}.layers.{i}.weight", weight), LinearExport.Weight(g, $"{name}.layers.{i}.bias", layer.bias!)],
                attributes: OnnxGraphBuilder.Attribute("transB", 1L));
            if (i < layers.Count - 1)
                x = Activations.Export(g, x, _activation);
        }
        if (_scoreIndex is not null)
        {
            var gathered = g.Node("Gather", [x, g.Constant($"{name}.scoreIndex", _scoreIndex, _scoreIndex.Length)], attributes: OnnxGraphBuilder.Attribute("axis", 1L));
            x = g.Node("Add", [gathered, g.Weight($"{name}.scoreFill", _scoreFill, _scoreFill!.Length)]);
        }
        return g.Node("MatMul", [g.Softmax(g.Reshape(x, Gates, Experts)), experts]);
    }

    /// <summary>Ones on the diagonal blocks: rows of gate g's outputs × columns of gate g's inputs.</summary>
    private static Tensor BlockDiagonal(int[] outputs, int[] inputs)
    {
        var width = inputs.Sum();
        var mask = new float[outputs.Sum() * width];
        for (int g = 0, row = 0, column = 0; g < outputs.Length; row += outputs[g], column += inputs[g], g++)
        {
            for (var r = row; r < row + outputs[g]; r++)
                Array.Fill(mask, 1f, r * width + column, inputs[g]);
        }
        return tensor(mask, [outputs.Sum(), width]);
    }
}
