using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelDsl.Kernels;
using ModelDsl.Layers;
using ModelDsl.Training.Weighting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// A whole training step of a fused mixture of experts (<see cref="FusedMixture"/>) without autograd: the embedding
/// lookups, <see cref="MixtureKernel"/>'s forward and backward, the task losses and their gradient, and Adam's update
/// of every weight and of the table rows the batch looked up, on CPU memory. Through autograd the same step is some
/// 40 LibTorch operations and nodes around the fused one, each with TorchSharp objects, and autograd copies every
/// gradient the kernel hands it (TorchSharp keeps a reference to it, so AccumulateGrad may not take it over); at the
/// reference model's sizes the step is 3.0–3.1 ms instead of 3.7–3.8 (docs/benchmarks.md).
/// </summary>
/// <remarks>
/// It applies to what it computes exactly as the trainer's other path does: binary and regression tasks without Given
/// chains, fixed loss weights, sample weights, Adam's fused updates, no L2 penalty and no gradient clipping. The
/// trainer asks for it each step and otherwise runs the autograd path; a test trains both ways and compares.
/// </remarks>
internal sealed unsafe class FusedTrainingStep : IDisposable
{
    private readonly FusedMixture _fused;
    private readonly MixtureShape _shape;
    private readonly EmbeddingGroup[] _groups;
    // The kernel's weights and biases, then each group's table, as the network holds them, and as the optimizer does
    // (a native module hands out a new object for the same tensor; the optimizer's state is keyed by its own).
    private readonly Parameter[] _parameters;
    private readonly Parameter[] _optimized;
    private readonly SparseAware.Adam _adam;
    private readonly TaskInfo[] _tasks;
    private readonly int[] _columns;
    private readonly float[] _factors;
    private readonly bool _weighted;
    private readonly int _numeric;
    private readonly int _kernelParameters;
    private readonly NativeFloats _gradients;
    private readonly long[] _gradientOffsets;
    // Per kernel parameter, where its weights are (read by Applies each step) and where its gradient goes (fixed).
    private readonly nint[] _weights;
    private readonly nint[] _gradientPointers;
    private readonly NativeFloats _input = new(0), _work = new(0), _scratch = new(0), _output = new(0), _outputGradient = new(0), _inputGradient = new(0);
    private readonly long[][] _rows;
    private int _batch;

    private FusedTrainingStep(FusedMixture fused, SparseAware.Adam adam, ModelSchema schema, StaticWeighting weighting, Parameter[] parameters, Parameter[] optimized)
    {
        (_fused, _shape, _groups, _adam, _parameters, _optimized) = (fused, fused.Shape!, fused.Embeddings!, adam, parameters, optimized);
        _kernelParameters = _shape.ParameterCount;
        _tasks = schema.Tasks.ToArray();
        _columns = schema.TaskColumns.ToArray();
        _factors = weighting.Weights.Select(w => (float)w).ToArray();
        _weighted = _tasks.Any(t => t.Weighting != SampleWeighting.None);
        _numeric = _shape.Input - _groups.Sum(g => g.OutputWidth);
        _gradientOffsets = new long[_kernelParameters + 1];
        for (var i = 0; i < _kernelParameters; i++)
            _gradientOffsets[i + 1] = _gradientOffsets[i] + _parameters[i].numel();
        _gradients = new NativeFloats(_gradientOffsets[^1]);
        _weights = new nint[_kernelParameters];
        _gradientPointers = _gradientOffsets.SkipLast(1).Select(offset => (nint)(_gradients.Pointer + offset)).ToArray();
        _rows = _groups.Select(_ => Array.Empty<long>()).ToArray();
    }

    /// <summary>The step for this run's settings, or null where they need the autograd path.</summary>
    public static FusedTrainingStep? For(MultiTaskNetwork network, TrainingOptions options, LossWeighting weighting, OptimizerHelper optimizer, bool penalized)
    {
        var schema = network.Schema;
        if (network.Fused is not { Shape: not null, Embeddings: not null } fused || optimizer is not SparseAware.Adam adam
            || penalized || options.GradientClipNorm is not null || weighting is not StaticWeighting fixedWeights
            || schema.ImputedTasks.Count > 0 || schema.Tasks.Any(t => t.Given >= 0 || t.Kind is not (TaskKind.Binary or TaskKind.Regression)))
            return null;
        Parameter[] parameters = [.. fused.KernelParameters(), .. fused.Embeddings.Select(g => g.Table)];
        if (!parameters.Concat(adam.parameters()).All(FusedMixture.IsCpuFloats))
            return null;
        var owned = new Dictionary<nint, Parameter>();
        foreach (var parameter in adam.parameters())
        {
            // Two parameters on one memory (aliased, or both empty) cannot be told apart by address.
            if (!owned.TryAdd((nint)MixtureKernel.Pointer(parameter), parameter))
                return null;
        }
        var optimized = parameters.Select(p => owned.GetValueOrDefault((nint)MixtureKernel.Pointer(p))).ToArray();
        return optimized.All(p => p is not null) ? new FusedTrainingStep(fused, adam, schema, fixedWeights, parameters, optimized!) : null;
    }

    // The weighted total of the last Forward's task losses, as the loss weighting combines them.
    private float _loss;

    /// <summary>
    /// The batch's forward pass and each task's mean loss (unweighted, in task order); null, with nothing changed, where
    /// this batch needs the autograd path (inputs or weights not CPU float memory the kernels reach, layers run one by
    /// one or observed).
    /// </summary>
    public float[]? Forward(Tensor categorical, Tensor numeric, Tensor labels, Tensor weights)
    {
        // Without gradients recorded the autograd path would refuse to step; so does this one, by handing the batch to it.
        if (!is_grad_enabled() || FusedMixture.RunsLayerByLayer || _fused.Observed || !Blas.Available || !Applies(categorical, numeric, labels, weights))
            return null;
        var batch = (int)categorical.shape[0];
        Allocate(batch);
        Gather(categorical, numeric);
        MixtureKernel.Forward(_shape, batch, _input.Pointer, _weights, _work.Pointer, _output.Pointer);
        return Losses(batch, MemoryMarshal.Cast<byte, float>(labels.bytes), MemoryMarshal.Cast<byte, float>(weights.bytes));
    }

    /// <summary>The backward pass of the batch <see cref="Forward"/> computed and Adam's update of every parameter it reached; returns the weighted total loss.</summary>
    public float Update()
    {
        var batch = _batch;
        // Biases' gradients are sums the kernel adds into; weights' are written whole by a product.
        for (var i = 1; i < _kernelParameters; i += 2)
            Gradient(i).Clear();
        MixtureKernel.Backward(_shape, batch, _input.Pointer, _weights, _work.Pointer, _outputGradient.Pointer, _gradientPointers, _scratch.Pointer, _inputGradient.Pointer);
        for (var i = 0; i < _kernelParameters; i++)
            _adam.Update(_optimized[i], Gradient(i));
        var column = 0;
        var inputGradient = new ReadOnlySpan<float>(_inputGradient.Pointer, batch * _shape.Input);
        for (var k = 0; k < _groups.Length; k++)
        {
            _adam.UpdateRows(_optimized[_kernelParameters + k], _rows[k].AsSpan(0, batch * _groups[k].RowOffsets.Length), inputGradient[column..], _groups[k].RowOffsets.Length, _shape.Input);
            column += _groups[k].OutputWidth;
        }
        return _loss;
    }

    private Span<float> Gradient(int i) => new(_gradients.Pointer + _gradientOffsets[i], (int)(_gradientOffsets[i + 1] - _gradientOffsets[i]));

    private bool Applies(Tensor categorical, Tensor numeric, Tensor labels, Tensor weights)
    {
        static bool Cpu(Tensor t, ScalarType type) => t.device_type == DeviceType.CPU && t.dtype == type && t.is_contiguous();
        if (!Cpu(categorical, ScalarType.Int64) || !Cpu(numeric, ScalarType.Float32) || !Cpu(labels, ScalarType.Float32) || !Cpu(weights, ScalarType.Float32)
            || numeric.shape[1] != _numeric || categorical.shape[0] * (long)Math.Max(_shape.Width, _shape.Input) > SpanMath.MaxFloats)
            return false;
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (!FusedMixture.IsCpuFloats(_parameters[i]) || !_adam.UpdatesInPlace(_optimized[i]))
                return false;
            var memory = (nint)MixtureKernel.Pointer(_parameters[i]);
            if (memory != (nint)MixtureKernel.Pointer(_optimized[i]))
                return false;
            if (i < _kernelParameters)
                _weights[i] = memory;
        }
        return true;
    }

    private void Allocate(int batch)
    {
        _batch = batch;
        _input.Ensure((long)batch * _shape.Input);
        _inputGradient.Ensure((long)batch * _shape.Input);
        _work.Ensure((long)batch * _shape.Width);
        _scratch.Ensure((long)batch * _shape.Width);
        _output.Ensure((long)batch * _shape.Columns);
        _outputGradient.Ensure((long)batch * _shape.Columns);
        for (var k = 0; k < _groups.Length; k++)
        {
            if (_rows[k].Length < batch * _groups[k].RowOffsets.Length)
                _rows[k] = new long[batch * _groups[k].RowOffsets.Length];
        }
    }

    /// <summary>The kernel's input: each group's rows for the batch's ids side by side, then the numeric columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per step: tiering would take dozens of steps to reach full speed
    private void Gather(Tensor categorical, Tensor numeric)
    {
        var batch = _batch;
        var width = _shape.Input;
        var ids = MemoryMarshal.Cast<byte, long>(categorical.bytes);
        var columns = (int)categorical.shape[1];
        var column = 0;
        for (var k = 0; k < _groups.Length; k++)
        {
            var group = _groups[k];
            var offsets = group.RowOffsets;
            var (dim, slots, first) = (group.Dim, offsets.Length, group.FirstColumn);
            var table = MemoryMarshal.Cast<byte, float>(_parameters[_kernelParameters + k].bytes);
            var tableRows = table.Length / dim;
            var rows = _rows[k];
            for (int b = 0, i = 0; b < batch; b++)
            {
                for (var s = 0; s < slots; s++, i++)
                {
                    var row = ids[b * columns + first + s] + offsets[s];
                    if ((ulong)row >= (ulong)tableRows)
                        throw new ArgumentOutOfRangeException(nameof(categorical), $"Categorical column {first + s} of batch row {b} holds id {ids[b * columns + first + s]}, outside embedding table '{group.GetName()}' ({tableRows} rows).");
                    rows[i] = row;
                }
            }
            var lookups = batch * slots;
            for (int b = 0, i = 0; b < batch; b++)
            {
                for (var s = 0; s < slots; s++, i++)
                {
                    // The rows are scattered over a table larger than the cache: ask for one a few lookups ahead.
                    if (i + SpanMath.PrefetchDistance < lookups)
                        SpanMath.Prefetch<float>(table, (int)rows[i + SpanMath.PrefetchDistance] * dim);
                    table.Slice((int)rows[i] * dim, dim).CopyTo(new Span<float>(_input.Pointer + (long)b * width + column + s * dim, dim));
                }
            }
            column += group.OutputWidth;
        }
        if (_numeric == 0)
            return;
        var values = MemoryMarshal.Cast<byte, float>(numeric.bytes);
        for (var b = 0; b < batch; b++)
            values.Slice(b * _numeric, _numeric).CopyTo(new Span<float>(_input.Pointer + (long)b * width + column, _numeric));
    }

    /// <summary>
    /// Each task's mean loss over the batch, as <see cref="TaskLoss"/> computes it (binary cross-entropy on the logit or
    /// squared error, each sample's term times its weight), and the output gradient of their weighted total.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float[] Losses(int batch, ReadOnlySpan<float> labels, ReadOnlySpan<float> weights)
    {
        var losses = new float[_tasks.Length];
        var outputs = new ReadOnlySpan<float>(_output.Pointer, batch * _shape.Columns);
        var gradient = new Span<float>(_outputGradient.Pointer, batch * _shape.Columns);
        gradient.Clear();
        var total = 0f;
        for (var t = 0; t < _tasks.Length; t++)
        {
            var binary = _tasks[t].Kind == TaskKind.Binary;
            var positivesOnly = _tasks[t].Weighting == SampleWeighting.PositivesOnly;
            var scale = _factors[t] / batch;
            double sum = 0;
            for (var b = 0; b < batch; b++)
            {
                var at = b * _shape.Columns + _columns[t];
                float z = outputs[at], y = labels[b * _tasks.Length + t];
                var weight = !_weighted ? 1f : positivesOnly && y == 0 ? 1f : weights[b * _tasks.Length + t];
                var term = binary ? (1 - y) * z + SoftplusOfMinus(z) : (z - y) * (z - y);
                sum += term * weight;
                gradient[at] = scale * weight * (binary ? 1 / (1 + MathF.Exp(-z)) - y : 2 * (z - y));
            }
            // A sum past float's range is infinite in LibTorch's float mean too, and the divergence check must see it.
            losses[t] = float.IsFinite((float)sum) ? (float)(sum / batch) : (float)sum;
            total += _factors[t] * losses[t];
        }
        _loss = total;
        return losses;
    }

    /// <summary>log(1 + e^−z), written so that no exponential overflows and a confident logit's term does not round to 0.</summary>
    private static float SoftplusOfMinus(float z)
    {
        var small = MathF.Exp(-MathF.Abs(z));
        return MathF.Max(-z, 0) + (small < 1e-4f ? small - small * small / 2 : MathF.Log(1 + small));
    }

    public void Dispose()
    {
        foreach (var buffer in new[] { _gradients, _input, _work, _scratch, _output, _outputGradient, _inputGradient })
            buffer.Dispose();
    }

    /// <summary>Native float memory aligned for the vector units, grown on demand and not cleared.</summary>
    private sealed class NativeFloats(long length) : IDisposable
    {
        public float* Pointer { get; private set; } = length == 0 ? null : (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);

        private long _length = length;

        public void Ensure(long length)
        {
            if (length <= _length)
                return;
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
            _length = 0;
            Pointer = (float*)NativeMemory.AlignedAlloc((nuint)(length * sizeof(float)), 64);
            _length = length;
        }

        public void Dispose()
        {
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
            _length = 0;
        }
    }
}
