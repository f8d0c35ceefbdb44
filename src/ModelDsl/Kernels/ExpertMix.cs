using System;
using System.Buffers;
using System.Collections.Generic;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        IsCpuFloat(scores) && IsCpuFloat(experts) && (bias is null || IsCpuFloat(bias))
        && scores.shape[0] * scores.shape[1] * experts.shape[2] <= SpanMath.MaxFloats;

    private static bool IsCpuFloat(Tensor tensor) =>
        tensor.device_type == DeviceType.CPU && tensor.dtype == ScalarType.Float32 && tensor.numel() <= SpanMath.MaxFloats;

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

    private static Tensor Softmax(Tensor scores)
    {
        using var s = scores.contiguous();
        var probabilities = empty_like(s);
        var input = Floats(s);
        var output = Floats(probabilities);
        var count = (int)s.shape[2];
        for (var at = 0; at < input.Length; at += count)
            SpanMath.Softmax(input.Slice(at, count), output.Slice(at, count));
        return probabilities;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    private static Tensor Mix(Tensor probabilities, Tensor experts, Tensor? bias)
    {
        var shape = new Shape(probabilities, experts);
        var mixed = zeros([shape.Batch, shape.Gates, shape.Units], ScalarType.Float32, CPU);
        var p = Floats(probabilities);
        var y = Floats(mixed);
        var rows = new ExpertRows(experts, bias, shape);
        try
        {
            for (var b = 0; b < shape.Batch; b++)
            {
                var x = rows.Activated(b);
                for (var g = 0; g < shape.Gates; g++)
                {
                    var target = y.Slice((b * shape.Gates + g) * shape.Units, shape.Units);
                    var weights = p.Slice((b * shape.Gates + g) * shape.Experts, shape.Experts);
                    for (var e = 0; e < shape.Experts; e++)
                        TensorPrimitives.MultiplyAdd(x.Slice(e * shape.Units, shape.Units), weights[e], target, target);
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
        // Deferred experts' gradient is written row by row; activated experts' is summed over gates into zeros.
        var expertsGradient = bias is null ? zeros_like(experts) : empty_like(experts);
        var biasGradient = bias is null ? null : zeros_like(bias);
        var p = Floats(probabilities);
        var dy = Floats(gradient);
        var ds = Floats(scoresGradient);
        var dx = Floats(expertsGradient);
        var db = biasGradient is null ? default : Floats(biasGradient);
        var rows = new ExpertRows(experts, bias, shape);
        var scratch = ArrayPool<float>.Shared.Rent(shape.Experts * (shape.Units + 1));
        try
        {
            var rowGradient = scratch.AsSpan(0, shape.Experts * shape.Units);
            var weightsGradient = scratch.AsSpan(shape.Experts * shape.Units, shape.Experts);
            for (var b = 0; b < shape.Batch; b++)
            {
                var x = rows.Activated(b);
                // Activated experts take their gradient in place; deferred ones through the ReLU below.
                var target = bias is null ? dx.Slice(b * shape.Experts * shape.Units, shape.Experts * shape.Units) : rowGradient;
                if (bias is not null)
                    target.Clear();
                for (var g = 0; g < shape.Gates; g++)
                {
                    var row = (b * shape.Gates + g) * shape.Experts;
                    var dyRow = dy.Slice((b * shape.Gates + g) * shape.Units, shape.Units);
                    for (var e = 0; e < shape.Experts; e++)
                    {
                        weightsGradient[e] = TensorPrimitives.Dot(dyRow, x.Slice(e * shape.Units, shape.Units));
                        var rowTarget = target.Slice(e * shape.Units, shape.Units);
                        TensorPrimitives.MultiplyAdd(dyRow, p[row + e], rowTarget, rowTarget);
                    }
                    SpanMath.SoftmaxGradient(p.Slice(row, shape.Experts), weightsGradient, ds.Slice(row, shape.Experts));
                }
                if (bias is not null)
                {
                    for (var e = 0; e < shape.Experts; e++)
                    {
                        var dz = dx.Slice((e * shape.Batch + b) * shape.Units, shape.Units);
                        SpanMath.ReluGradient(dz, target.Slice(e * shape.Units, shape.Units), x.Slice(e * shape.Units, shape.Units));
                        var biasRow = db.Slice(e * shape.Units, shape.Units);
                        TensorPrimitives.Add(biasRow, dz, biasRow);
                    }
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

    private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);

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
            _experts = Floats(experts);
            _bias = bias is null ? default : Floats(bias);
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
            {
                var target = row.Slice(e * _shape.Units, _shape.Units);
                TensorPrimitives.Add(_experts.Slice((e * _shape.Batch + b) * _shape.Units, _shape.Units), _bias.Slice(e * _shape.Units, _shape.Units), target);
                TensorPrimitives.Max(target, 0f, target);
            }
            return row;
        }

        public readonly void Return()
        {
            if (_row is not null)
                ArrayPool<float>.Shared.Return(_row);
        }
    }
}
