using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Kernels;

/// <summary>
/// Every gate's softmax mix of the experts as one fused CPU operation with its own backward:
/// mixed[b, g, :] = Σₑ softmax(scores[b, g, :])ₑ · xₑ(b), for scores [batch, gates, experts]. The experts come
/// either activated, [batch, experts, units], or as their last layer before its bias and ReLU,
/// [experts, batch, units] as the batched matmul leaves it, with the bias [experts, units]:
/// xₑ(b) = relu(z[e, b, :] + bias[e, :]).
/// </summary>
/// <remarks>
/// LibTorch has no good shape for this: a batched matmul runs [batch] tiny products (its backward alone took
/// 5–8 ms per step at batch 512), the broadcast product materializes [batch, gates, experts, units] in forward
/// and again in backward, and the gates' softmax over a few experts, the bias, the ReLU and the transpose
/// back to [batch, …] are each a pass over memory and an autograd node of their own. Here each expert row is
/// activated once into a scratch row, each output row is a few multiply-adds of those, and backward reads the
/// incoming gradient once for the scores', the experts' and the bias's gradients.
/// </remarks>
internal sealed class ExpertMix : autograd.SingleTensorFunction<ExpertMix>
{
    public override string Name => nameof(ExpertMix);

    /// <summary>Whether the fused operation applies: float32 tensors on the CPU, each within the 2 GiB a span addresses.</summary>
    public static bool Supports(Tensor scores, Tensor experts, Tensor? bias) =>
        CpuFloats.Fits(scores) && CpuFloats.Fits(experts) && (bias is null || CpuFloats.Fits(bias))
        && scores.shape[0] * scores.shape[1] * experts.shape[2] <= CpuFloats.MaxElements;


    /// <summary>The mix without recording it for autograd (inference under <c>no_grad</c>).</summary>
    /// <param name="scores">The gates' scores before softmax, [batch, gates, experts]; −∞ for an expert a gate does not mix.</param>
    /// <param name="experts">Activated experts [batch, experts, units], or with <paramref name="bias"/> the last layer before bias and ReLU, [experts, batch, units].</param>
    /// <param name="bias">The experts' last bias [experts, units], or null for activated experts.</param>
    public static Tensor Compute(Tensor scores, Tensor experts, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(experts);
        using var probabilities = Softmax(scores);
        using var x = experts.contiguous();
        using var b = bias?.contiguous();
        return Mix(probabilities, x, b);
    }

    /// <summary>Records the mix for autograd: <c>apply(scores, experts, bias)</c>, as <see cref="Compute"/>.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(vars);
        var probabilities = Softmax((Tensor)vars[0]);
        var experts = ((Tensor)vars[1]).contiguous();
        var bias = (vars[2] as Tensor)?.contiguous();
        ctx.save_for_backward(bias is null ? [probabilities, experts] : [probabilities, experts, bias]);
        return Mix(probabilities, experts, bias);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    private static Tensor Softmax(Tensor scores)
    {
        using var s = scores.contiguous();
        var probabilities = empty_like(s);
        SpanMath.Softmax(CpuFloats.Of(s), CpuFloats.Of(probabilities), (int)s.shape[2]);
        return probabilities;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    private static Tensor Mix(Tensor probabilities, Tensor experts, Tensor? bias)
    {
        var shape = new Shape(probabilities, experts);
        var mixed = empty([shape.Batch, shape.Gates, shape.Units], ScalarType.Float32, CPU);
        var p = CpuFloats.Of(probabilities);
        var y = CpuFloats.Of(mixed);
        var rows = new ExpertRows(experts, bias, shape);
        try
        {
            for (var b = 0; b < shape.Batch; b++)
            {
                var x = rows.Activated(b);
                for (var g = 0; g < shape.Gates; g++)
                {
                    var weights = p.Slice((b * shape.Gates + g) * shape.Experts, shape.Experts);
                    var target = y.Slice((b * shape.Gates + g) * shape.Units, shape.Units);
                    target.Clear();
                    for (var e = 0; e < shape.Experts; e++)
                        SpanMath.MultiplyAdd(target, x.Slice(e * shape.Units, shape.Units), weights[e]);
                }
            }
        }
        finally
        {
            rows.Return();
        }
        return mixed;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(grad_output);
        var saved = ctx.get_saved_variables();
        try
        {
            return Backward(saved[0], saved[1], saved.Count > 2 ? saved[2] : null, grad_output);
        }
        finally
        {
            // Unpacking hands out new handles to the saved tensors; without a dispose scope they would wait for the GC.
            foreach (var tensor in saved)
                tensor.Dispose();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    private static List<Tensor> Backward(Tensor probabilities, Tensor experts, Tensor? bias, Tensor grad_output)
    {
        using var gradient = grad_output.contiguous();
        var shape = new Shape(probabilities, experts);
        var scoresGradient = empty_like(probabilities);
        var expertsGradient = empty_like(experts);
        var biasGradient = bias is null ? null : zeros_like(bias);
        var p = CpuFloats.Of(probabilities);
        var dy = CpuFloats.Of(gradient);
        var ds = CpuFloats.Of(scoresGradient);
        var dx = CpuFloats.Of(expertsGradient);
        var db = biasGradient is null ? default : CpuFloats.Of(biasGradient);
        var rows = new ExpertRows(experts, bias, shape);
        var scratch = ArrayPool<float>.Shared.Rent(shape.Experts);
        try
        {
            var weightsGradient = scratch.AsSpan(0, shape.Experts);
            for (var b = 0; b < shape.Batch; b++)
            {
                var x = rows.Activated(b);
                for (var e = 0; e < shape.Experts; e++)
                {
                    // Expert e's gradient, Σ_g p[g, e]·dy[g], then through the deferred ReLU (and into the bias) when there is one.
                    var target = bias is null
                        ? dx.Slice((b * shape.Experts + e) * shape.Units, shape.Units)
                        : dx.Slice((e * shape.Batch + b) * shape.Units, shape.Units);
                    target.Clear();
                    for (var g = 0; g < shape.Gates; g++)
                        SpanMath.MultiplyAdd(target, dy.Slice((b * shape.Gates + g) * shape.Units, shape.Units), p[(b * shape.Gates + g) * shape.Experts + e]);
                    if (bias is not null)
                        SpanMath.ReluGradientAndBias(target, x.Slice(e * shape.Units, shape.Units), db.Slice(e * shape.Units, shape.Units));
                }
                for (var g = 0; g < shape.Gates; g++)
                {
                    var row = (b * shape.Gates + g) * shape.Experts;
                    var dyRow = dy.Slice((b * shape.Gates + g) * shape.Units, shape.Units);
                    for (var e = 0; e < shape.Experts; e++)
                        weightsGradient[e] = SpanMath.Dot(dyRow, x.Slice(e * shape.Units, shape.Units));
                    SpanMath.SoftmaxGradient(p.Slice(row, shape.Experts), weightsGradient, ds.Slice(row, shape.Experts));
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
            rows.Return();
        }
        return biasGradient is null ? [scoresGradient, expertsGradient, null!] : [scoresGradient, expertsGradient, biasGradient];
    }


    private readonly record struct Shape(int Batch, int Gates, int Experts, int Units)
    {
        public Shape(Tensor probabilities, Tensor experts)
            : this((int)probabilities.shape[0], (int)probabilities.shape[1], (int)probabilities.shape[2], (int)experts.shape[2])
        {
        }
    }

    /// <summary>One sample's activated expert rows, [experts, units]: a slice of activated experts, or relu(z + bias) into a pooled row.</summary>
    private ref struct ExpertRows
    {
        private readonly ReadOnlySpan<float> _experts;
        private readonly ReadOnlySpan<float> _bias;
        private readonly float[]? _row;
        private readonly Shape _shape;

        public ExpertRows(Tensor experts, Tensor? bias, Shape shape)
        {
            _experts = CpuFloats.Of(experts);
            _bias = bias is null ? default : CpuFloats.Of(bias);
            _row = bias is null ? null : ArrayPool<float>.Shared.Rent(shape.Experts * shape.Units);
            _shape = shape;
        }

        public readonly ReadOnlySpan<float> Activated(int b)
        {
            var width = _shape.Experts * _shape.Units;
            if (_row is null)
                return _experts.Slice(b * width, width);
            var row = _row.AsSpan(0, width);
            for (var e = 0; e < _shape.Experts; e++)
                SpanMath.AddBiasRelu(row.Slice(e * _shape.Units, _shape.Units), _experts.Slice((e * _shape.Batch + b) * _shape.Units, _shape.Units), _bias.Slice(e * _shape.Units, _shape.Units));
            return row;
        }

        public readonly void Return()
        {
            if (_row is not null)
                ArrayPool<float>.Shared.Return(_row);
        }
    }
}
