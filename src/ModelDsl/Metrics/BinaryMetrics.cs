using System;
using System.Collections.Generic;

namespace ModelDsl.Metrics;

/// <summary>
/// Accumulates (probability, label) pairs batch by batch and computes the exact ROC AUC (ties get
/// half credit, as the Mann–Whitney statistic) and the mean log loss.
/// </summary>
public sealed class BinaryMetrics
{
    // Probabilities are clipped before the log so a confident miss costs a large but finite loss.
    private const double Epsilon = 1e-7;

    private readonly List<(float Score, bool Label)> _pairs = [];
    private double _logLoss;

    /// <summary>Number of samples seen.</summary>
    public int Count => _pairs.Count;

    /// <summary>Adds one sample.</summary>
    public void Add(float probability, float label)
    {
        var positive = label > 0.5f;
        _pairs.Add((probability, positive));
        var p = Math.Clamp(probability, Epsilon, 1 - Epsilon);
        _logLoss -= positive ? Math.Log(p) : Math.Log(1 - p);
    }

    /// <summary>Mean binary cross-entropy; NaN when empty.</summary>
    public double LogLoss => Count == 0 ? double.NaN : _logLoss / Count;

    /// <summary>ROC AUC; NaN when only one class was seen or a probability is NaN (a diverged model).</summary>
    public double Auc => Compute(_pairs);

    /// <summary>ROC AUC of scores against labels, ties handled by average rank; NaN when only one class is present or a score is NaN.</summary>
    public static double ComputeAuc(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException("Scores and labels differ in length.", nameof(labels));
        var pairs = new List<(float, bool)>(scores.Length);
        for (var i = 0; i < scores.Length; i++)
            pairs.Add((scores[i], labels[i]));
        return Compute(pairs);
    }

    private static double Compute(List<(float Score, bool Label)> pairs)
    {
        // NaN has no rank (and would never equal itself in the tie loop below).
        if (pairs.Exists(p => float.IsNaN(p.Score)))
            return double.NaN;
        var sorted = pairs.ToArray();
        Array.Sort(sorted, (a, b) => a.Score.CompareTo(b.Score));
        double positives = 0, rankSum = 0;
        for (var start = 0; start < sorted.Length;)
        {
            var end = start;
            var tiedPositives = 0;
            for (; end < sorted.Length && sorted[end].Score == sorted[start].Score; end++)
                if (sorted[end].Label)
                    tiedPositives++;
            // Ranks start..end-1 (1-based: start+1..end) share their average.
            rankSum += tiedPositives * (start + 1 + end) / 2.0;
            positives += tiedPositives;
            start = end;
        }
        var negatives = sorted.Length - positives;
        return positives == 0 || negatives == 0
            ? double.NaN
            : (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
