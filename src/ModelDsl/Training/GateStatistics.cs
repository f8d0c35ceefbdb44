using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ModelDsl.Training;

/// <summary>
/// How one softmax gate (MMoE, OMoE, PLE) spread its weight over its level's experts on the set an epoch's
/// metrics come from: the mean of its per-sample weights, and the entropy of that mean.
/// </summary>
/// <param name="Gate">The task whose tower the gate feeds, or <c>shared</c> (OMoE's one gate, a PLE level's shared gate).</param>
/// <param name="Level">0-based level: 0 for MMoE and OMoE, a PLE extraction level otherwise.</param>
/// <param name="Experts">
/// The level's experts the gate mixes, as indices into <paramref name="MeanWeights"/>. A PLE level's experts are
/// every task's own (task 0's first) and then the shared ones; a task's gate mixes its own and the shared.
/// </param>
/// <param name="MeanWeights">Per expert of the level, the gate's mean weight (0 for experts it does not mix); they sum to 1.</param>
/// <param name="Entropy">−Σ w ln w over <paramref name="MeanWeights"/>, in nats: ln(experts mixed) when uniform, 0 when one expert takes all.</param>
public sealed record GateStatistics(string Gate, int Level, IReadOnlyList<int> Experts, IReadOnlyList<double> MeanWeights, double Entropy)
{
    /// <summary>A gate has collapsed when one expert takes more than this share of its mean weight.</summary>
    public const double CollapseShare = 0.9;

    /// <summary>
    /// An expert is unused when every gate that mixes it gives it less than this fraction of that gate's uniform
    /// share (1 / experts mixed): under 1.25 % for a gate over 8 experts.
    /// </summary>
    public const double UnusedFraction = 0.1;

    /// <summary>The entropy of a distribution, 0 ln 0 taken as 0.</summary>
    internal static double EntropyOf(IEnumerable<double> weights) => -weights.Where(w => w > 0).Sum(w => w * Math.Log(w));

    /// <summary>
    /// Gates that collapsed onto one expert, and experts that no gate of their level uses; empty when
    /// nothing stands out or there are no gates.
    /// </summary>
    public static IReadOnlyList<string> Warnings(IReadOnlyList<GateStatistics> gates)
    {
        ArgumentNullException.ThrowIfNull(gates);
        var warnings = new List<string>();
        foreach (var gate in gates.Where(g => g.Experts.Count > 1))
        {
            var top = gate.Experts.MaxBy(e => gate.MeanWeights[e]);
            if (gate.MeanWeights[top] > CollapseShare)
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"gate '{gate.Gate}' (level {gate.Level}) collapsed: expert {top} takes {gate.MeanWeights[top]:P1} of its weight"));
        }
        foreach (var level in gates.GroupBy(g => g.Level))
        {
            var mixing = level.Where(g => g.Experts.Count > 1).ToArray();
            if (mixing.Length == 0)
                continue;
            var experts = mixing.SelectMany(g => g.Experts).Distinct().Order();
            foreach (var e in experts.Where(e => mixing.Where(g => g.Experts.Contains(e)).All(g => g.MeanWeights[e] < UnusedFraction / g.Experts.Count)))
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"expert {e} (level {level.Key}) is nearly unused: every gate mixing it gives it under {UnusedFraction:P0} of a uniform share ({string.Join(", ", mixing.Where(g => g.Experts.Contains(e)).Select(g => $"{g.Gate} {g.MeanWeights[e]:P2}"))})"));
        }
        return warnings;
    }

    /// <summary>The gate, its entropy and each expert's mean weight, e.g. <c>Like L0: entropy 1.98; 0:13.1% 1:11.9% …</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Gate} L{Level}: entropy {Entropy:F3}; ") +
        string.Join(" ", Experts.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e}:{MeanWeights[e]:P1}")));
}
