using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// What experts hand to their gates' mix: either their activated outputs, [batch, experts, units], or, when the
/// last layer's activation is a ReLU without dropout, that layer before its bias and ReLU, [experts, batch, units]
/// as the batched matmul leaves it, with the bias [experts, units]; the mix then applies both in its own pass
/// (<see cref="Kernels.ExpertMix"/>) instead of three passes and a transpose.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public readonly struct ExpertOutput
{
    /// <summary>Activated experts, [batch, experts, units].</summary>
    public ExpertOutput(Tensor activated)
    {
        ArgumentNullException.ThrowIfNull(activated);
        Values = activated;
    }

    /// <summary>The experts' last layer before its bias and ReLU, [experts, batch, units], and the bias [experts, units].</summary>
    internal ExpertOutput(Tensor preActivation, Tensor bias)
    {
        Values = preActivation;
        Bias = bias;
    }

    /// <summary>Activated experts, or the last layer before bias and ReLU when <see cref="Bias"/> is set.</summary>
    public Tensor Values { get; }

    /// <summary>The last layer's bias, not yet added; null when <see cref="Values"/> are activated.</summary>
    public Tensor? Bias { get; }

    /// <summary>Number of samples.</summary>
    public long Batch => Bias is null ? Values.shape[0] : Values.shape[1];

    /// <summary>Number of experts.</summary>
    public long Experts => Bias is null ? Values.shape[1] : Values.shape[0];

    /// <summary>The activated experts, [batch, experts, units].</summary>
    public Tensor Activated() => Bias is null ? Values : nn.functional.relu(Values + Bias.unsqueeze(1)).transpose(0, 1);

    /// <summary>Experts of several groups side by side, in order: [batch, experts of all, units].</summary>
    public static ExpertOutput Concat(IReadOnlyList<ExpertOutput> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        return groups.All(e => e.Bias is not null)
            ? new ExpertOutput(cat(groups.Select(e => e.Values).ToArray(), 0), cat(groups.Select(e => e.Bias!).ToArray(), 0))
            : new ExpertOutput(cat(groups.Select(e => e.Activated()).ToArray(), 1));
    }
}
