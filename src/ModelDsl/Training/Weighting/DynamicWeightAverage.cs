using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace ModelDsl.Training.Weighting;

/// <summary>
/// Dynamic Weight Average (Liu et al. 2019): λₖ(t) = K·exp(rₖ(t−1)/T) / Σᵢ exp(rᵢ(t−1)/T) with
/// rₖ(t−1) = Lₖ(t−1)/Lₖ(t−2) on epoch-mean losses; λ = 1 for the first two epochs. A task whose loss
/// falls slowly gets more weight.
/// </summary>
internal sealed class DynamicWeightAverage(ModelSchema schema, double temperature) : LossWeighting(schema)
{
    private readonly List<double[]> _history = [];
    private double[] _weights = Enumerable.Repeat(1.0, schema.Tasks.Count).ToArray();
    private float[] _factors = Enumerable.Repeat(1f, schema.Tasks.Count).ToArray();

    public override IReadOnlyList<double> Weights => _weights;

    public override Tensor Combine(Tensor taskLosses, MultiTaskStep step) =>
        (taskLosses * tensor(_factors, device: taskLosses.device)).sum();

    public override void EndEpoch(IReadOnlyList<double> epochLosses)
    {
        _history.Add(epochLosses.ToArray());
        if (_history.Count < 2)
            return;
        var (last, before) = (_history[^1], _history[^2]);
        // A loss of 0 (sample weights all 0) gives no rate of descent: the ratio is taken as 1.
        var scores = last.Select((l, k) => Math.Exp((before[k] > 0 ? l / before[k] : 1) / temperature)).ToArray();
        var sum = scores.Sum();
        SetWeights(scores.Select(s => last.Length * s / sum).ToArray());
    }

    private void SetWeights(double[] weights)
    {
        _weights = weights;
        _factors = weights.Select(w => (float)w).ToArray();
    }

    public override void Save(BinaryWriter writer)
    {
        Write(writer, _weights);
        writer.Write(_history.Count);
        foreach (var losses in _history)
            Write(writer, losses);
    }

    public override void Load(BinaryReader reader)
    {
        SetWeights(Read(reader));
        _history.Clear();
        for (var count = reader.ReadInt32(); count > 0; count--)
            _history.Add(Read(reader));
    }
}
