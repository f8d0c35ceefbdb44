using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Kernels;

/// <summary>
/// Every gate's mix of the experts as one fused CPU operation with its own backward: weights [batch, gates,
/// experts] and experts [batch, experts, units] give mixed [batch, gates, units]. LibTorch has no good
/// shape for this: a batched matmul runs [batch] tiny products (its backward alone took 5–8 ms per step at
/// batch 512), and the broadcast product materializes [batch, gates, experts, units] in forward and again
/// in backward. Here each output row is a few fused multiply-adds of expert rows, and backward reads the
/// incoming gradient once for both input gradients.
/// </summary>
internal sealed class ExpertMix : autograd.SingleTensorFunction<ExpertMix>
{
    public override string Name => nameof(ExpertMix);

    /// <summary>Whether the fused operation applies: float32 tensors on the CPU, each within the 2 GiB a span addresses.</summary>
    public static bool Supports(Tensor weights, Tensor experts) =>
        weights.device_type == DeviceType.CPU && experts.device_type == DeviceType.CPU
        && weights.dtype == ScalarType.Float32 && experts.dtype == ScalarType.Float32
        && weights.numel() <= MaxElements && experts.numel() <= MaxElements && weights.shape[0] * weights.shape[1] * experts.shape[2] <= MaxElements;

    private const long MaxElements = int.MaxValue / sizeof(float);

    /// <summary>The mix without recording it for autograd (inference under <c>no_grad</c>).</summary>
    public static Tensor Compute(Tensor weights, Tensor experts)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(experts);
        using var w = weights.contiguous();
        using var x = experts.contiguous();
        return Mix(w, x);
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(vars);
        var weights = ((Tensor)vars[0]).contiguous();
        var experts = ((Tensor)vars[1]).contiguous();
        ctx.save_for_backward([weights, experts]);
        return Mix(weights, experts);
    }

    private static Tensor Mix(Tensor weights, Tensor experts)
    {
        var (batch, gates, count, units) = ((int)weights.shape[0], (int)weights.shape[1], (int)weights.shape[2], (int)experts.shape[2]);
        var mixed = zeros([batch, gates, units], ScalarType.Float32);
        var w = Floats(weights);
        var x = Floats(experts);
        var y = Floats(mixed);
        for (var b = 0; b < batch; b++)
        {
            for (var g = 0; g < gates; g++)
            {
                var row = y.Slice((b * gates + g) * units, units);
                for (var e = 0; e < count; e++)
                    SpanMath.MultiplyAdd(row, w[(b * gates + g) * count + e], x.Slice((b * count + e) * units, units));
            }
        }
        return mixed;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(grad_output);
        var saved = ctx.get_saved_variables();
        var (weights, experts) = (saved[0], saved[1]);
        using var gradient = grad_output.contiguous();
        var (batch, gates, count, units) = ((int)weights.shape[0], (int)weights.shape[1], (int)weights.shape[2], (int)experts.shape[2]);
        var weightsGradient = empty_like(weights);
        var expertsGradient = zeros_like(experts);
        var w = Floats(weights);
        var x = Floats(experts);
        var dy = Floats(gradient);
        var dw = Floats(weightsGradient);
        var dx = Floats(expertsGradient);
        for (var b = 0; b < batch; b++)
        {
            for (var g = 0; g < gates; g++)
            {
                var dyRow = dy.Slice((b * gates + g) * units, units);
                for (var e = 0; e < count; e++)
                {
                    var at = (b * gates + g) * count + e;
                    var offset = (b * count + e) * units;
                    dw[at] = SpanMath.Dot(dyRow, x.Slice(offset, units));
                    SpanMath.MultiplyAdd(dx.Slice(offset, units), w[at], dyRow);
                }
            }
        }
        return [weightsGradient, expertsGradient];
    }

    private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);
}
