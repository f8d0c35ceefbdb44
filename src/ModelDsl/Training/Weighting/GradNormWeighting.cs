using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Training.Weighting;

/// <summary>
/// GradNorm (Chen et al. 2018) on the last shared layer W. Per step: gₖ = ‖∇_W Lₖ‖₂, Gₖ = wₖ·gₖ,
/// L̃ₖ = Lₖ/Lₖ(0), rₖ = L̃ₖ / mean(L̃), target Tₖ = mean(G)·rₖ^α held constant;
/// L_grad = Σ|Gₖ − Tₖ| is differentiated in wₖ only (∂/∂wₖ = sign(Gₖ − Tₖ)·gₖ), the weights take an
/// Adam step and are renormalized to Σ wₖ = number of tasks. The model minimizes Σ wₖ·Lₖ.
/// </summary>
internal sealed class GradNormWeighting : LossWeighting
{
    private readonly double _alpha;
    private readonly Parameter _weights;
    private readonly Adam _optimizer;
    private double[]? _initialLosses;

    public GradNormWeighting(ModelSchema schema, double alpha, double learningRate) : base(schema)
    {
        _alpha = alpha;
        _weights = new Parameter(ones(schema.Tasks.Count));
        _optimizer = optim.Adam([_weights], learningRate);
    }

    public override IReadOnlyList<double> Weights
    {
        get
        {
            using var scope = NewDisposeScope();
            return _weights.detach().cpu().data<float>().ToArray().Select(w => (double)w).ToArray();
        }
    }

    public override Tensor Combine(Tensor taskLosses, MultiTaskStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var count = Schema.Tasks.Count;
        var losses = taskLosses.detach().cpu().data<float>().ToArray().Select(l => (double)l).ToArray();
        _initialLosses ??= losses.Select(l => Math.Max(l, 1e-12)).ToArray();

        var norms = new double[count];
        for (var t = 0; t < count; t++)
        {
            var gradient = autograd.grad([taskLosses[t]], [step.SharedWeight], retain_graph: true, allow_unused: true)[0];
            norms[t] = gradient is null ? 0 : gradient.norm().item<float>();
            Divergence.Check(norms[t], "gradient norm", Schema.Tasks[t], step);
        }
        // The model's step uses the weights in force before this step's GradNorm update, as in the paper.
        var weights = _weights.detach().clone().to(taskLosses.device);
        Update(losses, norms);
        return (weights * taskLosses).sum();
    }

    /// <summary>One GradNorm step on the weights, given this step's task losses and ‖∇_W Lₖ‖, all finite (the trainer and <see cref="Combine"/> check).</summary>
    internal void Update(IReadOnlyList<double> losses, IReadOnlyList<double> gradientNorms)
    {
        var count = losses.Count;
        _initialLosses ??= losses.Select(l => Math.Max(l, 1e-12)).ToArray();
        var w = Weights;
        var g = Enumerable.Range(0, count).Select(t => w[t] * gradientNorms[t]).ToArray();
        var ratios = Enumerable.Range(0, count).Select(t => losses[t] / _initialLosses[t]).ToArray();
        var meanRatio = ratios.Average();
        var meanG = g.Average();
        var gradient = new float[count];
        for (var t = 0; t < count; t++)
        {
            // All losses 0 (sample weights all 0) say nothing about training rates: each is the mean.
            var target = meanG * (meanRatio > 0 ? Math.Pow(ratios[t] / meanRatio, _alpha) : 1);
            gradient[t] = (float)(Math.Sign(g[t] - target) * gradientNorms[t]);
        }
        _optimizer.zero_grad();
        _weights.grad = tensor(gradient);
        _optimizer.step();
        using var _ = no_grad();
        _weights.clamp_(min: 1e-4);
        _weights.mul_(count / _weights.sum());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _optimizer.Dispose();
            _weights.Dispose();
        }
        base.Dispose(disposing);
    }

    public override void Save(BinaryWriter writer)
    {
        Write(writer, Weights.ToArray());
        Write(writer, _initialLosses ?? []);
        _optimizer.save_state_dict(writer);
    }

    public override void Load(BinaryReader reader)
    {
        var weights = Read(reader).Select(v => (float)v).ToArray();
        var initial = Read(reader);
        _initialLosses = initial.Length == 0 ? null : initial;
        using (no_grad())
            _weights.copy_(tensor(weights));
        _optimizer.load_state_dict(reader);
    }
}
