using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Training.Weighting;

/// <summary>
/// Kendall, Gal &amp; Cipolla 2018: one learned sₖ = log σₖ² per task, trained with the model;
/// total = Σ cₖ·e^(−sₖ)·Lₖ + ½sₖ, with cₖ = 1 for classification and ½ for regression. A task whose
/// loss stays high gets a larger σ and so a smaller weight cₖ·e^(−sₖ).
/// </summary>
internal sealed class UncertaintyWeighting : LossWeighting
{
    private readonly Parameter _logVariances;
    private readonly float[] _scales;

    public UncertaintyWeighting(ModelSchema schema) : base(schema)
    {
        _logVariances = new Parameter(zeros(schema.Tasks.Count));
        _scales = schema.Tasks.Select(t => t.Kind == TaskKind.Regression ? 0.5f : 1f).ToArray();
    }

    public override IEnumerable<Parameter> Parameters => [_logVariances];

    /// <summary>cₖ·e^(−sₖ).</summary>
    public override IReadOnlyList<double> Weights
    {
        get
        {
            using var scope = NewDisposeScope();
            var s = (-_logVariances.detach()).exp().cpu().data<float>().ToArray();
            return s.Select((v, t) => (double)(_scales[t] * v)).ToArray();
        }
    }

    public override Tensor Combine(Tensor taskLosses, MultiTaskStep step)
    {
        var scales = tensor(_scales, device: taskLosses.device);
        var s = _logVariances.to(taskLosses.device);
        return (scales * (-s).exp() * taskLosses + 0.5 * s).sum();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _logVariances.Dispose();
        base.Dispose(disposing);
    }

    public override void Save(BinaryWriter writer)
    {
        using var scope = NewDisposeScope();
        Write(writer, _logVariances.detach().cpu().data<float>().ToArray().Select(v => (double)v).ToArray());
    }

    public override void Load(BinaryReader reader)
    {
        var values = Read(reader).Select(v => (float)v).ToArray();
        using var _ = no_grad();
        _logVariances.copy_(tensor(values));
    }
}
