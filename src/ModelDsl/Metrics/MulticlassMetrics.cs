using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelDsl.Metrics;

/// <summary>
/// Accumulates (class probabilities, label) pairs batch by batch and computes accuracy (the most likely
/// class, the first on ties, against the label), the macro one-vs-rest ROC AUC (the mean over classes of
/// <see cref="BinaryMetrics.ComputeAuc"/> of each class's probability against "the label is this class",
/// over the classes that occur and do not make up every label) and the mean log loss −log p(label).
/// </summary>
public sealed class MulticlassMetrics
{
    // Probabilities are clipped before the log so a confident miss costs a large but finite loss, as BinaryMetrics does.
    private const double Epsilon = 1e-7;

    private readonly int _classes;
    private readonly List<float> _probabilities = [];
    private readonly List<int> _labels = [];
    private double _logLoss;
    private int _correct;

    /// <summary>Creates empty metrics for <paramref name="classes"/> classes.</summary>
    public MulticlassMetrics(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        _classes = classes;
    }

    /// <summary>Number of samples seen.</summary>
    public int Count => _labels.Count;

    /// <summary>Adds one sample.</summary>
    /// <param name="probabilities">The probability of each class.</param>
    /// <param name="label">The class index, in [0, classes).</param>
    public void Add(ReadOnlySpan<float> probabilities, int label)
    {
        if (probabilities.Length != _classes)
            throw new ArgumentException($"{probabilities.Length} probabilities for {_classes} classes.", nameof(probabilities));
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, _classes);
        _labels.Add(label);
        foreach (var p in probabilities)
            _probabilities.Add(p);
        _logLoss -= Math.Log(Math.Clamp(probabilities[label], Epsilon, 1 - Epsilon));
        if (MostLikely(probabilities) == label)
            _correct++;
    }

    /// <summary>The most likely class: the first of the highest probabilities (what the generated <c>Prediction</c> serves).</summary>
    public static int MostLikely(ReadOnlySpan<float> probabilities)
    {
        var best = 0;
        for (var c = 1; c < probabilities.Length; c++)
            if (probabilities[c] > probabilities[best])
                best = c;
        return best;
    }

    /// <summary>Share of samples whose most likely class is the label; NaN when empty.</summary>
    public double Accuracy => Count == 0 ? double.NaN : (double)_correct / Count;

    /// <summary>Mean cross-entropy −log p(label); NaN when empty.</summary>
    public double LogLoss => Count == 0 ? double.NaN : _logLoss / Count;

    /// <summary>Macro one-vs-rest ROC AUC; NaN when fewer than two classes occur or a probability is NaN.</summary>
    public double Auc
    {
        get
        {
            if (_probabilities.Exists(float.IsNaN))
                return double.NaN;
            var aucs = new List<double>();
            var scores = new float[Count];
            var positives = new bool[Count];
            for (var c = 0; c < _classes; c++)
            {
                for (var i = 0; i < scores.Length; i++)
                    (scores[i], positives[i]) = (_probabilities[i * _classes + c], _labels[i] == c);
                // NaN for a class that never occurs, or makes up every label: it ranks nothing.
                var auc = BinaryMetrics.ComputeAuc(scores, positives);
                if (!double.IsNaN(auc))
                    aucs.Add(auc);
            }
            return aucs.Count == 0 ? double.NaN : aucs.Average();
        }
    }
}
