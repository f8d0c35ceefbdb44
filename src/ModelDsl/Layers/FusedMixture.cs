using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using System.Threading;
using ModelDsl.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// A mixture of experts' training forward from its input to its towers' outputs as one fused CPU operation
/// (<see cref="MixtureKernel"/>), where the layers allow it: experts and towers of ReLU, leaky ReLU or tanh layers
/// without dropout, HoME's normalization or PPNet, and softmax gates without hidden layers that each mix every expert
/// (MMoE, OMoE). The generated network asks it first and otherwise runs its layers one by one; both compute the same
/// function.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class FusedMixture
{
    private readonly ExpertGroup _experts;
    private readonly GateGroup _gates;
    private readonly Tower[] _towers;
    private static readonly AsyncLocal<bool> s_layerByLayer = new();

    /// <summary>Looks at the layers once: whether they are ones the kernel computes, and their widths.</summary>
    /// <param name="inputWidth">Width of what the experts and gates read.</param>
    /// <param name="experts">The experts.</param>
    /// <param name="gates">The gates, gate g's mix at [:, g] of their output.</param>
    /// <param name="towers">The towers in output column order.</param>
    /// <param name="towerGates">Per tower, the gate whose mix it reads.</param>
    /// <param name="embeddings">
    /// Where the input is the network's embedding groups' outputs followed by its numeric input as given, those groups
    /// in order: then the trainer may run whole steps outside autograd (<see cref="Training.FusedTrainingStep"/>).
    /// </param>
    public FusedMixture(int inputWidth, ExpertGroup experts, GateGroup gates, IReadOnlyList<Tower> towers, IReadOnlyList<int> towerGates,
        IReadOnlyList<EmbeddingGroup>? embeddings = null)
    {
        ArgumentNullException.ThrowIfNull(experts);
        ArgumentNullException.ThrowIfNull(gates);
        ArgumentNullException.ThrowIfNull(towers);
        ArgumentNullException.ThrowIfNull(towerGates);
        if (towerGates.Count != towers.Count || towerGates.Any(g => g < 0 || g >= gates.Gates))
            throw new ArgumentException($"Each of the {towers.Count} towers needs the index of a gate below {gates.Gates}.", nameof(towerGates));
        (_experts, _gates, _towers) = (experts, gates, towers.ToArray());
        // One activation for every hidden layer (a tower without hidden layers applies none).
        if (experts.PlainActivation is { } activation && MixtureKernel.Computes(activation) && gates.PlainScores is not null
            && _towers.All(t => t.Hidden.Layers.Count == 0 || t.Hidden.PlainActivation == activation))
        {
            Shape = new MixtureShape(inputWidth, experts.Experts, experts.Units.ToArray(), gates.Gates,
                _towers.Select((t, i) => new MixtureTower(towerGates[i], t.Hidden.Layers.Select(l => (int)l.weight!.shape[0]).ToArray(), (int)t.Output.weight!.shape[0])).ToArray(),
                activation);
            if (embeddings is not null && embeddings.All(g => !g.HasSequences) && embeddings.Sum(g => g.OutputWidth) <= inputWidth)
                Embeddings = embeddings.ToArray();
        }
    }

    /// <summary>The network's embedding groups, whose outputs then its numeric input are the input; null where the input is computed otherwise or a group pools sequences.</summary>
    internal EmbeddingGroup[]? Embeddings { get; }

    /// <summary>The widths the kernel computes with; null where it does not compute these layers.</summary>
    internal MixtureShape? Shape { get; }

    /// <summary>Whether a flow of execution asked for <see cref="LayerByLayer"/>.</summary>
    internal static bool RunsLayerByLayer => s_layerByLayer.Value;

    /// <summary>Whether the gates' probabilities are observed for analysis, which the kernel does not report.</summary>
    internal bool Observed => _gates.Observer is not null;

    /// <summary>The weights and biases in <see cref="MixtureKernel"/>'s order.</summary>
    internal IEnumerable<Parameter> KernelParameters()
    {
        foreach (var parameter in _experts.LayerParameters())
            yield return parameter;
        yield return _gates.PlainScores!.weight!;
        yield return _gates.PlainScores.bias!;
        foreach (var tower in _towers)
        {
            foreach (var layer in tower.Hidden.Layers)
            {
                yield return layer.weight!;
                yield return layer.bias!;
            }
            yield return tower.Output.weight!;
            yield return tower.Output.bias!;
        }
    }

    /// <summary>
    /// Runs every network layer by layer in this flow of execution until disposed: the reference the fused operation
    /// is tested and benchmarked against.
    /// </summary>
    internal static IDisposable LayerByLayer()
    {
        var before = s_layerByLayer.Value;
        s_layerByLayer.Value = true;
        return new Restore(before);
    }

    private sealed class Restore(bool before) : IDisposable
    {
        public void Dispose() => s_layerByLayer.Value = before;
    }

    /// <summary>Whether the layers are ones the fused operation computes (it still needs a CPU float32 input with gradients recorded).</summary>
    internal bool Fusable => Shape is not null;

    /// <summary>
    /// The towers' outputs, [batch, columns], from the fused operation; null where it does not apply (layers it does not
    /// compute, no gradients recorded, an input or weights not contiguous CPU float32, an input, weight, output or
    /// workspace over 2 GiB, a LibTorch build without MKL's sgemm, or gates observed for analysis).
    /// </summary>
    public Tensor? TryForward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Shape is null || s_layerByLayer.Value || !is_grad_enabled() || _gates.Observer is not null || !Blas.Available
            || !IsCpuFloats(input) || input.dim() != 2 || input.shape[1] != Shape.Input || input.shape[0] * (long)Math.Max(Shape.Width, Shape.Columns) > SpanMath.MaxFloats)
            return null;
        object[] vars = [Shape, input, .. KernelParameters()];
        // The kernel reads the weights' memory as packed float32 rows.
        return vars.Skip(2).All(p => IsCpuFloats((Tensor)p)) ? MixtureKernel.apply(vars) : null;
    }

    internal static bool IsCpuFloats(Tensor tensor) =>
        tensor.device_type == DeviceType.CPU && tensor.dtype == ScalarType.Float32 && tensor.is_contiguous() && tensor.numel() <= SpanMath.MaxFloats;
}
