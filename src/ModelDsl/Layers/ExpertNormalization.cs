using System;
using System.ComponentModel;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// HoME's expert normalization (Wang et al., 2024, "Expert Normalization &amp; Swish"): batch normalization of
/// every unit of every expert's last layer, so that all experts hand their gates outputs of one scale
/// (BatchNorm1d over [batch, experts·units]). Training normalizes with the batch's statistics and moves the
/// running ones by <see cref="Momentum"/> (the variance unbiased, as PyTorch's); evaluation, serving and the ONNX
/// export use the running statistics. A training batch of one sample has no variance: it is normalized with
/// the running statistics, which it leaves alone.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class ExpertNormalization : nn.Module<Tensor, Tensor>
{
    /// <summary>How far each training batch moves the running statistics (PyTorch's default).</summary>
    public const double Momentum = 0.1;

    /// <summary>Added to the variance before its square root (PyTorch's default).</summary>
    public const double Epsilon = 1e-5;

    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor runningMean;
    private readonly Tensor runningVariance;

    /// <summary>Creates the normalization of <paramref name="features"/> units: scale 1, shift 0, running mean 0 and variance 1.</summary>
    public ExpertNormalization(string name, int features) : base(name)
    {
        weight = new Parameter(ones(features));
        bias = new Parameter(zeros(features));
        runningMean = zeros(features);
        runningVariance = ones(features);
        register_buffer(nameof(runningMean), runningMean);
        register_buffer(nameof(runningVariance), runningVariance);
        RegisterComponents();
    }

    /// <summary>Normalizes [batch, features].</summary>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return nn.functional.batch_norm(input, runningMean, runningVariance, weight, bias, training && input.shape[0] > 1, Momentum, Epsilon);
    }

    /// <summary>Adds the inference-mode normalization (ONNX BatchNormalization on the running statistics) and returns its output.</summary>
    public string Export(OnnxGraphBuilder g, string input, string path)
    {
        ArgumentNullException.ThrowIfNull(g);
        return g.Node("BatchNormalization",
            [input, g.Weight($"{path}.weight", weight), g.Weight($"{path}.bias", bias), g.Weight($"{path}.runningMean", runningMean), g.Weight($"{path}.runningVariance", runningVariance)],
            attributes: OnnxGraphBuilder.Attribute("epsilon", (float)Epsilon));
    }
}
