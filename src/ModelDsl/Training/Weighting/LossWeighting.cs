using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Training.Weighting;

/// <summary>
/// A loss weighting strategy in a training run: turns the per-task losses of a step into the total to
/// minimize, and reports each task's current weight. Created per <c>Fit</c>; its state goes into
/// checkpoints so a resumed run continues exactly.
/// </summary>
internal abstract class LossWeighting : IDisposable
{
    protected LossWeighting(ModelSchema schema) => Schema = schema;

    protected ModelSchema Schema { get; }

    /// <summary>Each task's weight now, in task order.</summary>
    public abstract IReadOnlyList<double> Weights { get; }

    /// <summary>Parameters the model's optimizer must also train (uncertainty's log-variances).</summary>
    public virtual IEnumerable<Parameter> Parameters => [];

    /// <summary>The total loss of a step from the per-task losses [tasks] (with graph).</summary>
    public abstract Tensor Combine(Tensor taskLosses, MultiTaskStep step);

    /// <summary>Called after each epoch with the epoch's mean task losses.</summary>
    public virtual void EndEpoch(IReadOnlyList<double> epochLosses)
    {
    }

    public virtual void Save(BinaryWriter writer)
    {
    }

    public virtual void Load(BinaryReader reader)
    {
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    public static LossWeighting Create(LossWeightingSettings settings, ModelSchema schema, double learningRate) => settings.Strategy switch
    {
        LossWeightingStrategy.Uncertainty => new UncertaintyWeighting(schema),
        LossWeightingStrategy.GradNorm => new GradNormWeighting(schema, settings.Alpha, learningRate),
        LossWeightingStrategy.DynamicWeightAverage => new DynamicWeightAverage(schema, settings.Temperature),
        _ => new StaticWeighting(schema),
    };

    protected static double[] Read(BinaryReader reader)
    {
        var values = new double[reader.ReadInt32()];
        for (var i = 0; i < values.Length; i++)
            values[i] = reader.ReadDouble();
        return values;
    }

    protected static void Write(BinaryWriter writer, IReadOnlyCollection<double> values)
    {
        writer.Write(values.Count);
        foreach (var value in values)
            writer.Write(value);
    }
}

/// <summary>What a weighting strategy may need from the current step beyond the losses.</summary>
/// <param name="SharedWeight">The last shared layer's weight (GradNorm).</param>
/// <param name="Epoch">1-based epoch, for errors.</param>
/// <param name="Step">1-based step within the epoch, for errors.</param>
internal sealed record MultiTaskStep(Tensor SharedWeight, int Epoch, int Step);

/// <summary>Σ wₖ·Lₖ with the static <c>LossWeight</c>s.</summary>
internal sealed class StaticWeighting(ModelSchema schema) : LossWeighting(schema)
{
    private readonly double[] _weights = schema.Tasks.Select(t => t.LossWeight).ToArray();
    private readonly float[] _factors = schema.Tasks.Select(t => (float)t.LossWeight).ToArray();

    public override IReadOnlyList<double> Weights => _weights;

    public override Tensor Combine(Tensor taskLosses, MultiTaskStep step) =>
        (taskLosses * tensor(_factors, device: taskLosses.device)).sum();
}
