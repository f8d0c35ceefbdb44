using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using ModelDsl.Onnx;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// The <see cref="NumericTransform"/>s of a model's numeric columns, applied before the first layer so
/// the exported graph takes raw values: log(1 + x) on Log1p columns, then (x − mean) · (1 / std) on
/// Standardize columns. The statistics are buffers, saved with the weights; <see cref="Fit"/> sets them
/// once from the training data.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class NumericTransforms : nn.Module<Tensor, Tensor>
{
    private readonly Tensor log1p;
    private readonly Tensor mean;
    private readonly Tensor scale;
    private readonly Tensor rows;
    private readonly bool[] _log1p;
    private readonly bool[] _standardize;

    /// <summary>Creates identity statistics for <paramref name="transforms"/>, one per numeric column.</summary>
    public NumericTransforms(string name, IReadOnlyList<NumericTransform> transforms) : base(name)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        _log1p = transforms.Select(t => t.HasFlag(NumericTransform.Log1p)).ToArray();
        _standardize = transforms.Select(t => t.HasFlag(NumericTransform.Standardize)).ToArray();
        log1p = tensor(_log1p);
        mean = zeros(transforms.Count);
        scale = ones(transforms.Count);
        rows = zeros(1, ScalarType.Float64);
        register_buffer(nameof(log1p), log1p);
        register_buffer(nameof(mean), mean);
        register_buffer(nameof(scale), scale);
        register_buffer(nameof(rows), rows);
        RegisterComponents();
    }

    /// <summary>Per column, whether it takes log(1 + x).</summary>
    internal IReadOnlyList<bool> Log1pColumns => _log1p;

    /// <summary>Per column, whether it is standardized.</summary>
    internal IReadOnlyList<bool> StandardizeColumns => _standardize;

    /// <summary>Whether some column is standardized and its statistics were not yet taken from training data.</summary>
    public bool NeedsStatistics => _standardize.Any(s => s) && rows.item<double>() == 0;

    /// <summary>
    /// Sets the mean and scale of every Standardize column from training rows (row-major, one value per
    /// column, before any transform): one pass of Welford's updates in double precision. A constant
    /// column keeps scale 1.
    /// </summary>
    public void Fit(IEnumerable<ReadOnlyMemory<float>> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var width = _log1p.Length;
        var average = new double[width];
        var deviations = new double[width]; // Σ (x − mean)²
        long count = 0;
        foreach (var chunk in chunks)
        {
            var values = chunk.Span;
            for (var row = 0; row + width <= values.Length; row += width)
            {
                count++;
                for (var c = 0; c < width; c++)
                {
                    // Not Σx² − n·mean²: that cancels to about 1e-16 for a constant column, a scale of 1e8.
                    var x = _log1p[c] ? Math.Log(1 + (double)values[row + c]) : values[row + c];
                    var delta = x - average[c];
                    average[c] += delta / count;
                    deviations[c] += delta * (x - average[c]);
                }
            }
        }
        if (count == 0)
            return;
        var means = new float[width];
        var scales = new float[width];
        for (var c = 0; c < width; c++)
        {
            var std = Math.Sqrt(deviations[c] / count);
            (means[c], scales[c]) = _standardize[c] ? ((float)average[c], std > 1e-12 ? (float)(1 / std) : 1f) : (0f, 1f);
        }
        using (no_grad())
        {
            mean.copy_(tensor(means));
            scale.copy_(tensor(scales));
            rows.fill_(count);
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor numeric)
    {
        ArgumentNullException.ThrowIfNull(numeric);
        // where() leaves other columns as they are; their log1p, if undefined, is discarded.
        var x = _log1p.Any(l => l) ? where(log1p, numeric.log1p(), numeric) : numeric;
        return _standardize.Any(s => s) ? (x - mean) * scale : x;
    }

    /// <summary>Adds the transforms to an ONNX graph and returns the transformed [batch, columns] value.</summary>
    public string Export(OnnxGraphBuilder g, string numeric)
    {
        ArgumentNullException.ThrowIfNull(g);
        var name = GetName();
        var x = numeric;
        if (_log1p.Any(l => l))
        {
            var logged = g.Node("Log", [g.Node("Add", [x, g.FloatOnce("one_f", 1)])]);
            var columns = g.Node("Cast", [g.Constant($"{name}.log1p", _log1p.Select(l => l ? 1L : 0L).ToArray(), _log1p.Length)],
                attributes: OnnxGraphBuilder.Attribute("to", (long)global::Onnx.TensorProto.Types.DataType.Bool));
            x = g.Node("Where", [columns, logged, x]);
        }
        if (_standardize.Any(s => s))
            x = g.Mul(g.Node("Sub", [x, LinearExport.Weight(g, $"{name}.mean", mean)]), LinearExport.Weight(g, $"{name}.scale", scale));
        return x;
    }
}
