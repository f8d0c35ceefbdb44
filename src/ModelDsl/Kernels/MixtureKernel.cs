using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using ModelDsl.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Kernels;

/// <summary>One tower of a <see cref="MixtureShape"/>: the gate whose mix it reads, its hidden layers' units and its output units.</summary>
internal sealed record MixtureTower(int Gate, int[] Hidden, int Outputs);

/// <summary>
/// The widths of a mixture of experts from its input to its towers' outputs, and the activation of every hidden layer:
/// experts' layers (the first one matmul over all experts, later ones per expert), one softmax gate layer, towers.
/// Fixes where each layer's activations sit in the per-step workspace, [batch, width] blocks in order.
/// </summary>
internal sealed class MixtureShape
{
    public MixtureShape(int input, int experts, int[] units, int gates, MixtureTower[] towers, Activation activation)
    {
        (Input, Experts, Units, Gates, Towers, Activation) = (input, experts, units, gates, towers, activation);
        Columns = towers.Sum(t => t.Outputs);
        var widths = units.Select(u => experts * u).Append(gates * experts).Append(gates * units[^1]).Concat(towers.SelectMany(t => t.Hidden)).ToArray();
        Offsets = new int[widths.Length];
        for (var i = 1; i < widths.Length; i++)
            Offsets[i] = Offsets[i - 1] + widths[i - 1];
        Width = Offsets[^1] + widths[^1];
        ParameterCount = 2 * units.Length + 2 + towers.Sum(t => 2 * (t.Hidden.Length + 1));
    }

    public int Input { get; }
    public int Experts { get; }
    public int[] Units { get; }
    public int Gates { get; }
    public MixtureTower[] Towers { get; }

    /// <summary>After each expert and tower hidden layer: one of <see cref="MixtureKernel.Computes"/>.</summary>
    public Activation Activation { get; }

    /// <summary>Output columns: the towers' outputs side by side.</summary>
    public int Columns { get; }

    /// <summary>Per sample: expert layers, gate probabilities, mixes, towers' hidden layers.</summary>
    public int Width { get; }

    /// <summary>Where each block starts, per sample of the batch (multiply by the batch).</summary>
    public int[] Offsets { get; }

    /// <summary>Weights and biases, in <see cref="MixtureKernel"/>'s order.</summary>
    public int ParameterCount { get; }

    public int Probabilities => Units.Length;

    public int Mixes => Units.Length + 1;

    /// <summary>The workspace block of tower <paramref name="tower"/>'s hidden layer <paramref name="layer"/>.</summary>
    public int TowerBlock(int tower, int layer) => Units.Length + 2 + Towers.Take(tower).Sum(t => t.Hidden.Length) + layer;
}

/// <summary>
/// A mixture of experts with ReLU, leaky ReLU or tanh layers from its input, [batch, input], to its towers' outputs, [batch, columns], as one CPU
/// operation with its own backward: matrix products through <see cref="Blas"/> into one workspace, every bias, activation,
/// softmax and mix a pass over rows in between. Its inputs after the <see cref="MixtureShape"/> are the input, then
/// the experts' first weight [experts·units, input] and bias, each later layer's weight [experts, in, out] and bias
/// [experts, out], the gates' weight [gates·experts, input] and bias, and per tower each hidden layer's weight
/// [out, in] and bias and the output layer's.
/// </summary>
/// <remarks>
/// The same network as LibTorch operations is some 60 dispatched operations and autograd nodes a step, each with a
/// TorchSharp tensor object, plus transposed copies between the experts' layers; at the reference model's sizes that
/// cost about as much as the arithmetic outside the products (docs/benchmarks.md).
/// </remarks>
internal sealed unsafe class MixtureKernel : autograd.SingleTensorFunction<MixtureKernel>
{
    public override string Name => nameof(MixtureKernel);

    /// <summary>The activations whose gradient the kernel takes from the layer's output alone (GELU's and Swish's need the input).</summary>
    public static bool Computes(Activation activation) => activation is Activation.Relu or Activation.LeakyRelu or Activation.Tanh;

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(vars);
        var shape = (MixtureShape)vars[0];
        var input = (Tensor)vars[1];
        var parameters = vars.Skip(2).Cast<Tensor>().ToArray();
        var batch = (int)input.shape[0];
        var work = empty(batch * (long)shape.Width, ScalarType.Float32, CPU);
        var output = empty([batch, shape.Columns], ScalarType.Float32, CPU);
        Span<nint> p = stackalloc nint[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
            p[i] = (nint)Pointer(parameters[i]);
        Forward(shape, batch, Pointer(input), p, Pointer(work), Pointer(output));
        ctx.save_for_backward([input, work]);
        ctx.save_data("shape", shape);
        ctx.save_data("parameters", parameters);
        ctx.save_data("inputGradient", input.requires_grad);
        return output;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(grad_output);
        var shape = (MixtureShape)ctx.get_data("shape");
        var parameters = (Tensor[])ctx.get_data("parameters");
        var saved = ctx.get_saved_variables();
        try
        {
            var (input, work) = (saved[0], saved[1]);
            var batch = (int)input.shape[0];
            using var gradient = grad_output.contiguous();
            // Weights' gradients are written whole by a product; biases' are sums over the batch.
            var gradients = parameters.Select((t, i) => i % 2 == 0 ? empty_like(t) : zeros_like(t)).ToArray();
            var inputGradient = (bool)ctx.get_data("inputGradient") ? empty_like(input) : null;
            using var scratch = empty(batch * (long)shape.Width, ScalarType.Float32, CPU);
            Span<nint> p = stackalloc nint[parameters.Length];
            Span<nint> g = stackalloc nint[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
                (p[i], g[i]) = ((nint)Pointer(parameters[i]), (nint)Pointer(gradients[i]));
            Backward(shape, batch, Pointer(input), p, Pointer(work), Pointer(gradient), g, Pointer(scratch),
                inputGradient is null ? null : Pointer(inputGradient));
            return [null!, inputGradient!, .. gradients];
        }
        finally
        {
            // Unpacking hands out new handles to the saved tensors; without a dispose scope they would wait for the GC.
            foreach (var tensor in saved)
                tensor.Dispose();
        }
    }

    internal static float* Pointer(Tensor tensor) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    internal static void Forward(MixtureShape s, int batch, float* x, ReadOnlySpan<nint> p, float* work, float* output)
    {
        int e = s.Experts, layers = s.Units.Length;
        // Experts: the first layer over all experts at once, later layers per expert on its columns of the block.
        var h = work;
        Blas.Gemm(false, true, batch, e * s.Units[0], s.Input, x, s.Input, (float*)p[0], s.Input, 0, h, e * s.Units[0]);
        BiasActivate(h, batch, e * s.Units[0], (float*)p[1], s.Activation);
        for (var layer = 1; layer < layers; layer++)
        {
            int before = s.Units[layer - 1], units = s.Units[layer];
            var next = work + batch * s.Offsets[layer];
            for (var expert = 0; expert < e; expert++)
                Blas.Gemm(false, false, batch, units, before, h + expert * before, e * before, (float*)p[2 * layer] + expert * before * units, units, 0, next + expert * units, e * units);
            BiasActivate(next, batch, e * units, (float*)p[2 * layer + 1], s.Activation);
            h = next;
        }

        // Gates: scores of every gate in one product, a softmax per gate, and each gate's mix of the last layer.
        var probabilities = work + batch * s.Offsets[s.Probabilities];
        var mixes = work + batch * s.Offsets[s.Mixes];
        int last = s.Units[^1], scores = s.Gates * e, gateWeight = 2 * layers;
        Blas.Gemm(false, true, batch, scores, s.Input, x, s.Input, (float*)p[gateWeight], s.Input, 0, probabilities, scores);
        var gateBias = new ReadOnlySpan<float>((float*)p[gateWeight + 1], scores);
        for (var b = 0; b < batch; b++)
        {
            var row = new Span<float>(probabilities + b * scores, scores);
            TensorPrimitives.Add(row, gateBias, row);
            var experts = new ReadOnlySpan<float>(h + b * e * last, e * last);
            for (var g = 0; g < s.Gates; g++)
            {
                var weights = row.Slice(g * e, e);
                SpanMath.Softmax(weights, weights);
                var mix = new Span<float>(mixes + (b * s.Gates + g) * last, last);
                TensorPrimitives.Multiply(experts.Slice(0, last), weights[0], mix);
                for (var expert = 1; expert < e; expert++)
                    TensorPrimitives.MultiplyAdd(experts.Slice(expert * last, last), weights[expert], mix, mix);
            }
        }

        // Towers: each reads its gate's columns of the mixes and writes its columns of the output.
        var parameter = gateWeight + 2;
        var column = 0;
        for (var t = 0; t < s.Towers.Length; t++)
        {
            var tower = s.Towers[t];
            float* a = mixes + tower.Gate * last;
            int width = last, stride = s.Gates * last;
            for (var layer = 0; layer < tower.Hidden.Length; layer++, parameter += 2)
            {
                var units = tower.Hidden[layer];
                var next = work + batch * s.Offsets[s.TowerBlock(t, layer)];
                Blas.Gemm(false, true, batch, units, width, a, stride, (float*)p[parameter], width, 0, next, units);
                BiasActivate(next, batch, units, (float*)p[parameter + 1], s.Activation);
                a = next;
                width = stride = units;
            }
            if (tower.Outputs == 1)
                Dots(a, batch, width, stride, (float*)p[parameter], output + column, s.Columns);
            else
                Blas.Gemm(false, true, batch, tower.Outputs, width, a, stride, (float*)p[parameter], width, 0, output + column, s.Columns);
            var bias = new ReadOnlySpan<float>((float*)p[parameter + 1], tower.Outputs);
            for (var b = 0; b < batch; b++)
            {
                var row = new Span<float>(output + b * s.Columns + column, tower.Outputs);
                TensorPrimitives.Add(row, bias, row);
            }
            parameter += 2;
            column += tower.Outputs;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Backward(MixtureShape s, int batch, float* x, ReadOnlySpan<nint> p, float* work, float* dy, ReadOnlySpan<nint> dp, float* scratch, float* dx)
    {
        int e = s.Experts, layers = s.Units.Length, last = s.Units[^1], scores = s.Gates * e, gateWeight = 2 * layers;
        var mixes = work + batch * s.Offsets[s.Mixes];
        var dMixes = scratch + batch * s.Offsets[s.Mixes];
        // Every block of the gradient is written whole before it is read, except the mixes', which the towers add into.
        new Span<float>(dMixes, batch * s.Gates * last).Clear();

        // Towers, from the output back to their gate's columns of the mixes' gradient (which starts at 0).
        var parameter = gateWeight + 2;
        var column = 0;
        for (var t = 0; t < s.Towers.Length; t++)
        {
            var tower = s.Towers[t];
            var output = parameter + 2 * tower.Hidden.Length;
            // What each layer reads: its input, width and row stride.
            float* Read(int layer) => layer == 0 ? mixes + tower.Gate * last : work + batch * s.Offsets[s.TowerBlock(t, layer - 1)];
            int Width(int layer) => layer == 0 ? last : tower.Hidden[layer - 1];
            int Stride(int layer) => layer == 0 ? s.Gates * last : tower.Hidden[layer - 1];
            float* ReadGradient(int layer) => layer == 0 ? dMixes + tower.Gate * last : scratch + batch * s.Offsets[s.TowerBlock(t, layer - 1)];

            var depth = tower.Hidden.Length;
            ColumnSums(dy + column, batch, tower.Outputs, s.Columns, (float*)dp[output + 1]);
            if (tower.Outputs == 1)
            {
                DotsBackward(Read(depth), batch, Width(depth), Stride(depth), (float*)p[output], dy + column, s.Columns, (float*)dp[output], ReadGradient(depth), accumulate: depth == 0);
            }
            else
            {
                Blas.Gemm(true, false, tower.Outputs, Width(depth), batch, dy + column, s.Columns, Read(depth), Stride(depth), 0, (float*)dp[output], Width(depth));
                Blas.Gemm(false, false, batch, Width(depth), tower.Outputs, dy + column, s.Columns, (float*)p[output], Width(depth), depth == 0 ? 1 : 0, ReadGradient(depth), Stride(depth));
            }
            for (var layer = depth - 1; layer >= 0; layer--)
            {
                int units = tower.Hidden[layer], weight = parameter + 2 * layer;
                var dz = scratch + batch * s.Offsets[s.TowerBlock(t, layer)];
                ActivationBiasGradient(dz, work + batch * s.Offsets[s.TowerBlock(t, layer)], batch, units, (float*)dp[weight + 1], s.Activation);
                Blas.Gemm(true, false, units, Width(layer), batch, dz, units, Read(layer), Stride(layer), 0, (float*)dp[weight], Width(layer));
                Blas.Gemm(false, false, batch, Width(layer), units, dz, units, (float*)p[weight], Width(layer), layer == 0 ? 1 : 0, ReadGradient(layer), Stride(layer));
            }
            parameter = output + 2;
            column += tower.Outputs;
        }

        // The mix and the softmax: the last expert layer's gradient row by row, then through its activation.
        var probabilities = work + batch * s.Offsets[s.Probabilities];
        var dScores = scratch + batch * s.Offsets[s.Probabilities];
        var h = work + batch * s.Offsets[layers - 1];
        var dh = scratch + batch * s.Offsets[layers - 1];
        Span<float> dWeights = stackalloc float[e];
        for (var b = 0; b < batch; b++)
        {
            var experts = new ReadOnlySpan<float>(h + b * e * last, e * last);
            var dExperts = new Span<float>(dh + b * e * last, e * last);
            for (var g = 0; g < s.Gates; g++)
            {
                var row = (b * s.Gates + g) * e;
                var weights = new ReadOnlySpan<float>(probabilities + row, e);
                var dMix = new ReadOnlySpan<float>(dMixes + (b * s.Gates + g) * last, last);
                for (var expert = 0; expert < e; expert++)
                {
                    dWeights[expert] = TensorPrimitives.Dot(dMix, experts.Slice(expert * last, last));
                    var target = dExperts.Slice(expert * last, last);
                    if (g == 0)
                        TensorPrimitives.Multiply(dMix, weights[expert], target);
                    else
                        TensorPrimitives.MultiplyAdd(dMix, weights[expert], target, target);
                }
                SpanMath.SoftmaxGradient(weights, dWeights, new Span<float>(dScores + row, e));
            }
        }

        // Gates: their weights' and bias's gradients, and the input's gradient starts with theirs.
        Blas.Gemm(true, false, scores, s.Input, batch, dScores, scores, x, s.Input, 0, (float*)dp[gateWeight], s.Input);
        ColumnSums(dScores, batch, scores, scores, (float*)dp[gateWeight + 1]);
        if (dx != null)
            Blas.Gemm(false, false, batch, s.Input, scores, dScores, scores, (float*)p[gateWeight], s.Input, 0, dx, s.Input);

        // Experts, from the last layer back: through each activation, then the products per expert, the first over all.
        for (var layer = layers - 1; layer >= 1; layer--)
        {
            int before = s.Units[layer - 1], units = s.Units[layer];
            var dz = scratch + batch * s.Offsets[layer];
            ActivationBiasGradient(dz, work + batch * s.Offsets[layer], batch, e * units, (float*)dp[2 * layer + 1], s.Activation);
            var input = work + batch * s.Offsets[layer - 1];
            var dInput = scratch + batch * s.Offsets[layer - 1];
            for (var expert = 0; expert < e; expert++)
            {
                var weight = expert * before * units;
                Blas.Gemm(true, false, before, units, batch, input + expert * before, e * before, dz + expert * units, e * units, 0, (float*)dp[2 * layer] + weight, units);
                Blas.Gemm(false, true, batch, before, units, dz + expert * units, e * units, (float*)p[2 * layer] + weight, units, 0, dInput + expert * before, e * before);
            }
        }
        var first = e * s.Units[0];
        ActivationBiasGradient(scratch, work, batch, first, (float*)dp[1], s.Activation);
        Blas.Gemm(true, false, first, s.Input, batch, scratch, first, x, s.Input, 0, (float*)dp[0], s.Input);
        if (dx != null)
            Blas.Gemm(false, false, batch, s.Input, first, scratch, first, (float*)p[0], s.Input, 1, dx, s.Input);
    }

    /// <summary>rows[b] = activation(rows[b] + bias) for each of <paramref name="batch"/> rows of <paramref name="width"/>.</summary>
    private static void BiasActivate(float* rows, int batch, int width, float* bias, Activation activation)
    {
        var slope = new Vector<float>(Activations.LeakySlope);
        for (var b = 0; b < batch; b++)
        {
            var row = rows + b * width;
            if (activation == Activation.Tanh)
            {
                var span = new Span<float>(row, width);
                TensorPrimitives.Add(span, new ReadOnlySpan<float>(bias, width), span);
                TensorPrimitives.Tanh(span, span);
                continue;
            }
            // One pass: ReLU max(z, 0) propagates NaN as LibTorch's does; leaky ReLU z > 0 ? z : slope·z.
            var i = 0;
            for (; i <= width - Vector<float>.Count; i += Vector<float>.Count)
            {
                var z = Vector.Load(row + i) + Vector.Load(bias + i);
                Vector.Store(activation == Activation.Relu ? Vector.Max(z, Vector<float>.Zero) : Vector.ConditionalSelect(Vector.GreaterThan(z, Vector<float>.Zero), z, z * slope), row + i);
            }
            for (; i < width; i++)
            {
                var z = row[i] + bias[i];
                row[i] = activation == Activation.Relu ? MathF.Max(z, 0) : z > 0 ? z : z * Activations.LeakySlope;
            }
        }
    }

    /// <summary>
    /// Takes the gradient rows through the activation whose outputs are <paramref name="outputs"/>, in place, and adds each
    /// row into the bias's gradient, in one pass. As LibTorch's backward: ReLU 0 where the output is ≤ 0 (so a NaN output
    /// passes its gradient), leaky ReLU the gradient where the output is positive and slope × it elsewhere, tanh (1 − y²) × it.
    /// </summary>
    private static void ActivationBiasGradient(float* gradient, float* outputs, int batch, int width, float* biasGradient, Activation activation)
    {
        var slope = new Vector<float>(Activations.LeakySlope);
        for (var b = 0; b < batch; b++)
        {
            float* g = gradient + b * width, o = outputs + b * width;
            var i = 0;
            for (; i <= width - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> y = Vector.Load(o + i), d = Vector.Load(g + i);
                var passed = activation switch
                {
                    Activation.Relu => Vector.ConditionalSelect(Vector.LessThanOrEqual(y, Vector<float>.Zero), Vector<float>.Zero, d),
                    Activation.LeakyRelu => Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<float>.Zero), d, d * slope),
                    _ => d * (Vector<float>.One - y * y),
                };
                Vector.Store(passed, g + i);
                Vector.Store(Vector.Load(biasGradient + i) + passed, biasGradient + i);
            }
            for (; i < width; i++)
            {
                biasGradient[i] += g[i] = activation switch
                {
                    Activation.Relu => o[i] <= 0 ? 0 : g[i],
                    Activation.LeakyRelu => o[i] > 0 ? g[i] : g[i] * Activations.LeakySlope,
                    _ => g[i] * (1 - o[i] * o[i]),
                };
            }
        }
    }

    /// <summary>
    /// A single-output layer's product, out[b · outStride] = rows[b] · weight: as a matrix product it is a matrix-vector
    /// product that MKL runs at a few GFLOP/s, where a dot per row takes a tenth of the time.
    /// </summary>
    private static void Dots(float* rows, int batch, int width, int stride, float* weight, float* output, int outStride)
    {
        var w = new ReadOnlySpan<float>(weight, width);
        for (var b = 0; b < batch; b++)
            output[b * outStride] = TensorPrimitives.Dot(new ReadOnlySpan<float>(rows + b * stride, width), w);
    }

    /// <summary>
    /// <see cref="Dots"/>' backward for the output gradient dy[b · dyStride]: the weight's gradient Σ dy[b] · rows[b], and each
    /// row's gradient dy[b] · weight, added to what is there when <paramref name="accumulate"/>.
    /// </summary>
    private static void DotsBackward(float* rows, int batch, int width, int stride, float* weight, float* dy, int dyStride,
        float* weightGradient, float* rowGradients, bool accumulate)
    {
        var w = new ReadOnlySpan<float>(weight, width);
        var dw = new Span<float>(weightGradient, width);
        dw.Clear();
        for (var b = 0; b < batch; b++)
        {
            var g = dy[b * dyStride];
            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(rows + b * stride, width), g, dw, dw);
            var target = new Span<float>(rowGradients + b * stride, width);
            if (accumulate)
                TensorPrimitives.MultiplyAdd(w, g, target, target);
            else
                TensorPrimitives.Multiply(w, g, target);
        }
    }

    /// <summary>sums += each of <paramref name="batch"/> rows of <paramref name="width"/> columns, rows <paramref name="stride"/> apart.</summary>
    private static void ColumnSums(float* rows, int batch, int width, int stride, float* sums)
    {
        var target = new Span<float>(sums, width);
        for (var b = 0; b < batch; b++)
            TensorPrimitives.Add(target, new ReadOnlySpan<float>(rows + b * stride, width), target);
    }
}

