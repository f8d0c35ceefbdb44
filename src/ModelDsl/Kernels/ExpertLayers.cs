using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Kernels;

/// <summary>
/// The layers of a group of ReLU experts as one CPU operation with its own backward, up to the last layer's
/// product: the first layer of all experts is one matmul into [batch, experts·units₀] (bias and ReLU in one pass),
/// later layers one batched matmul each over [experts, batch, units], the first of them reading the first layer's
/// output in place through a strided view. Returns the last layer before its bias and ReLU, [experts, batch, units],
/// which <see cref="ExpertMix"/> finishes. Backward is the products' backward plus one pass per layer for the ReLU's
/// gradient and the bias's.
/// </summary>
/// <remarks>
/// As LibTorch operations the experts took half again their products' own time at the reference MMoE's shapes: the
/// change of layout between the layers (a transpose that the batched matmul copies forward and autograd copies back),
/// a separate pass for each bias, ReLU and gradient of those, and a dispatch and autograd node for each
/// (docs/benchmarks.md, "Where the training step goes").
/// Inputs of <c>apply</c>: the input [batch, in], the first layer's weight [experts·units₀, in] and bias, then the later
/// layers' weights [experts, unitsₖ₋₁, unitsₖ], then the biases of the layers between the first and the last, [experts, unitsₖ].
/// </remarks>
internal sealed class ExpertLayers : autograd.SingleTensorFunction<ExpertLayers>
{
    public override string Name => nameof(ExpertLayers);

    /// <summary>
    /// Whether the fused operation applies: float32 CPU tensors, the parameters contiguous, each (and each layer's output,
    /// batch × <paramref name="widestLayer"/> at most) within the 2 GiB a span addresses.
    /// </summary>
    public static bool Supports(Tensor input, long widestLayer, IEnumerable<Tensor> parameters) =>
        CpuFloats.Fits(input) && input.dim() == 2 && input.shape[0] * widestLayer <= CpuFloats.MaxElements
        && parameters.All(p => CpuFloats.Fits(p) && p.is_contiguous());


    /// <summary>The layers without recording them for autograd (inference under <c>no_grad</c>).</summary>
    public static Tensor Compute(Tensor input, Tensor firstWeight, Tensor firstBias, IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> biases)
    {
        var hidden = Forward(input, firstWeight, firstBias, weights, biases, out var output);
        foreach (var h in hidden)
            h.Dispose();
        return output;
    }

    /// <summary>Records the layers for autograd: <c>apply(input, firstWeight, firstBias, weights…, biases…)</c>, as <see cref="Compute"/>.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(vars);
        var (input, firstWeight, firstBias, weights, biases) = Unpack(vars);
        using var _ = no_grad();
        var hidden = Forward(input, firstWeight, firstBias, weights, biases, out var output);
        ctx.save_for_backward([input, firstWeight, .. weights, .. hidden]);
        ctx.save_data(nameof(input), input.requires_grad);
        return output;
    }

    private static (Tensor Input, Tensor FirstWeight, Tensor FirstBias, Tensor[] Weights, Tensor[] Biases) Unpack(object[] vars)
    {
        var later = (vars.Length - 2) / 2;   // vars: input, first weight, first bias, `later` weights, `later` − 1 biases
        return ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], vars.Skip(3).Take(later).Cast<Tensor>().ToArray(), vars.Skip(3 + later).Cast<Tensor>().ToArray());
    }

    /// <summary>
    /// The forward pass; returns each layer's activated output but the last (the first as [batch, experts·units₀],
    /// the others [experts, batch, units]) and sets <paramref name="output"/> to the last layer's product.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    private static List<Tensor> Forward(Tensor input, Tensor firstWeight, Tensor firstBias, IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> biases, out Tensor output)
    {
        using var x = input.contiguous();
        var first = mm(x, firstWeight.t());
        var units = (int)firstBias.shape[0];
        var values = CpuFloats.Of(first);
        var bias = CpuFloats.Of(firstBias);
        for (var at = 0; at < values.Length; at += units)
            SpanMath.AddBiasRelu(values.Slice(at, units), values.Slice(at, units), bias);
        var hidden = new List<Tensor> { first };
        var layerInput = ByExpert(first, weights[0]);
        for (var layer = 0; ; layer++)
        {
            var product = bmm(layerInput, weights[layer]);
            layerInput.Dispose();
            if (layer == weights.Count - 1)
            {
                output = product;
                return hidden;
            }
            AddBiasRelu(product, biases[layer]);
            hidden.Add(product);
            layerInput = product.alias();
        }
    }

    /// <summary>The first layer's output [batch, experts·units₀] seen as [experts, batch, units₀] without a copy.</summary>
    private static Tensor ByExpert(Tensor first, Tensor secondWeight)
    {
        long experts = secondWeight.shape[0], units = secondWeight.shape[1];
        return first.as_strided([experts, first.shape[0], units], [units, experts * units, 1]);
    }

    /// <summary>relu(x + bias) in place over [experts, batch, units], bias [experts, units].</summary>
    private static void AddBiasRelu(Tensor values, Tensor bias)
    {
        var x = CpuFloats.Of(values);
        var b = CpuFloats.Of(bias);
        int batch = (int)values.shape[1], units = (int)values.shape[2];
        for (var e = 0; e < values.shape[0]; e++)
        {
            for (var row = 0; row < batch; row++)
                SpanMath.AddBiasRelu(x.Slice((e * batch + row) * units, units), x.Slice((e * batch + row) * units, units), b.Slice(e * units, units));
        }
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(grad_output);
        var saved = ctx.get_saved_variables();
        try
        {
            var later = saved.Count / 2 - 1;   // saved: input, first weight, `later` weights, `later` hidden outputs
            return Backward(saved[0], saved[1], saved.Skip(2).Take(later).ToArray(), saved.Skip(2 + later).ToArray(), grad_output, (bool)ctx.get_data("input"));
        }
        finally
        {
            // Unpacking hands out new handles to the saved tensors; without a dispose scope they would wait for the GC.
            foreach (var tensor in saved)
                tensor.Dispose();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    private static List<Tensor> Backward(Tensor input, Tensor firstWeight, Tensor[] weights, Tensor[] hidden, Tensor gradOutput, bool needsInputGradient)
    {
        var later = weights.Length;
        var weightGradients = new Tensor[later];
        var biasGradients = new Tensor[later - 1];
        var gradient = gradOutput.contiguous();
        for (var layer = later - 1; ; layer--)
        {
            using var layerInput = layer == 0 ? ByExpert(hidden[0], weights[0]) : hidden[layer].alias();
            weightGradients[layer] = bmm(layerInput.transpose(1, 2), gradient);
            var inputGradient = bmm(gradient, weights[layer].transpose(1, 2));
            gradient.Dispose();
            if (layer == 0)
            {
                gradient = inputGradient;
                break;
            }
            biasGradients[layer - 1] = ReluGradient(inputGradient, hidden[layer]);
            gradient = inputGradient;
        }
        // The first layer's gradient comes back as [experts, batch, units₀]: the ReLU's gradient writes it in the
        // first layer's own layout, [batch, experts·units₀], for its two products.
        using var byExpert = gradient;
        var first = empty_like(hidden[0]);
        var firstBias = FirstReluGradient(byExpert, hidden[0], first);
        using var x = input.contiguous();
        var firstWeightGradient = mm(first.t(), x);
        var xGradient = needsInputGradient ? mm(first, firstWeight) : null;
        first.Dispose();
        return [xGradient!, firstWeightGradient, firstBias, .. weightGradients, .. biasGradients];
    }

    /// <summary>In place over [experts, batch, units]: the gradient through relu(x + bias) whose output is <paramref name="output"/>; returns the bias's gradient.</summary>
    private static Tensor ReluGradient(Tensor gradient, Tensor output)
    {
        var g = CpuFloats.Of(gradient);
        var o = CpuFloats.Of(output);
        var biasGradient = zeros(gradient.shape[0], gradient.shape[2]);
        var b = CpuFloats.Of(biasGradient);
        int batch = (int)gradient.shape[1], units = (int)gradient.shape[2];
        for (var e = 0; e < gradient.shape[0]; e++)
        {
            var biasRow = b.Slice(e * units, units);
            for (var row = 0; row < batch; row++)
            {
                var at = (e * batch + row) * units;
                SpanMath.ReluGradientAndBias(g.Slice(at, units), o.Slice(at, units), biasRow);
            }
        }
        return biasGradient;
    }

    /// <summary>
    /// The gradient through the first layer's ReLU from [experts, batch, units₀] into <paramref name="target"/>, laid out as
    /// the first layer's output [batch, experts·units₀]; returns the first bias's gradient.
    /// </summary>
    private static Tensor FirstReluGradient(Tensor byExpert, Tensor output, Tensor target)
    {
        var g = CpuFloats.Of(byExpert);
        var o = CpuFloats.Of(output);
        var t = CpuFloats.Of(target);
        int experts = (int)byExpert.shape[0], batch = (int)byExpert.shape[1], units = (int)byExpert.shape[2];
        var biasGradient = zeros(experts * units);
        var b = CpuFloats.Of(biasGradient);
        for (var row = 0; row < batch; row++)
        {
            for (var e = 0; e < experts; e++)
            {
                var at = (row * experts + e) * units;
                var rowTarget = t.Slice(at, units);
                SpanMath.ReluGradient(rowTarget, g.Slice((e * batch + row) * units, units), o.Slice(at, units));
            }
            SpanMath.Add(b, t.Slice(row * experts * units, experts * units));
        }
        return biasGradient;
    }

}
