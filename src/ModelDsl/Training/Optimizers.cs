using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using ModelDsl.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// Creates the optimizer a run asks for and sets its learning rate. Embedding tables have row-sparse
/// gradients (only the rows a batch looks up): Adam updates just those rows (lazily, as TensorFlow's
/// LazyAdam); the other optimizers densify them first and behave as they always did.
/// </summary>
internal static class Optimizers
{
    public static OptimizerHelper Create(TrainingOptions options, IEnumerable<Parameter> parameters) => options.Optimizer switch
    {
        OptimizerKind.AdamW => new SparseAware.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.Adagrad => new SparseAware.Adagrad(parameters, options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.Sgd => new SparseAware.SGD(parameters, options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
        _ => new SparseAware.Adam(parameters, options.LearningRate, options.WeightDecay),
    };

    public static void SetLearningRate(OptimizerHelper optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = rate;
    }
}

/// <summary>
/// TorchSharp's optimizers over parameters whose gradients may be row-sparse. The classes keep
/// TorchSharp's names because <c>save_state_dict</c> records the type name: checkpoints stay
/// interchangeable with those of the plain optimizers.
/// </summary>
internal static class SparseAware
{
    /// <summary>
    /// Adam; a row-sparse gradient updates only its rows' moments and weights (lazy Adam: a row not looked
    /// up keeps its moments and does not move, where dense Adam would keep moving it on momentum). Bias
    /// correction counts every step, as TensorFlow's LazyAdam does. Dense gradients get TorchSharp's Adam
    /// arithmetic. Weight decay (L2), like the gradient, reaches only the rows looked up. On the CPU each
    /// parameter's update is one fused pass (<see cref="AdamKernel"/>); elsewhere, LibTorch operations.
    /// The fused pass writes parameter memory directly, so autograd's version counters do not see it: a graph
    /// kept across <see cref="step"/> (retain_graph) would use the new weights in its backward without the
    /// error LibTorch's in-place operations raise. The trainer builds a new graph every step.
    /// </summary>
    internal sealed class Adam : TorchSharp.Modules.Adam
    {
        private readonly bool _fused;
        private readonly Dictionary<IntPtr, AdamKernel.RowScratch> _rowScratch = [];
        private Dictionary<IntPtr, Options> _groupOf = [];

        /// <param name="parameters">The parameters.</param>
        /// <param name="lr">Learning rate.</param>
        /// <param name="weightDecay">L2 weight decay.</param>
        /// <param name="fused">Use <see cref="AdamKernel"/> for CPU parameters; false runs LibTorch operations everywhere (the reference the kernel is tested against).</param>
        public Adam(IEnumerable<Parameter> parameters, double lr, double weightDecay, bool fused = true)
            : base(parameters, lr, weight_decay: weightDecay)
        {
            _fused = fused;
        }

        /// <summary>
        /// Drops the gradients rather than zeroing them (PyTorch's <c>set_to_none</c>): backward then hands each
        /// parameter its new gradient instead of adding it into a zeroed one, a pass over every gradient saved.
        /// A parameter without a gradient is skipped by <see cref="step"/>.
        /// </summary>
        public override void zero_grad()
        {
            foreach (var group in _parameter_groups)
            {
                foreach (var param in group.Parameters)
                {
                    using var grad = param.grad;
                    if (grad is not null)
                        param.grad = null;
                }
            }
        }

        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            foreach (var param in group.Parameters)
            {
                using var grad = param.grad;
                if (grad is null)
                    continue;
                var state = (State)_state[param.Handle];
                var c = StepCoefficients(options, state);
                if (!(_fused && TryFusedStep(param, grad, state, c)))
                {
                    if (grad.is_sparse)
                        LazyStep(param, grad, state, c);
                    else
                        DenseStep(param, grad, state, c);
                }
                // Counted once the update is done, so a step that throws leaves the parameter's bias correction where it was.
                state.step += 1;
            }
        }, closure);

        private static AdamCoefficients StepCoefficients(Options options, State state) =>
            AdamCoefficients.For(options.LearningRate!.Value, options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.weight_decay!.Value, state.step + 1);

        /// <summary>
        /// Whether this optimizer updates <paramref name="param"/> with one <see cref="AdamKernel"/> pass: the fused
        /// optimizer, and the parameter and its moments contiguous float32 CPU tensors within the 2 GiB a span addresses.
        /// </summary>
        internal bool UpdatesInPlace(Parameter param) =>
            _fused && param.device_type == DeviceType.CPU && param.dtype == ScalarType.Float32 && param.numel() <= SpanMath.MaxFloats && param.is_contiguous()
            && _state.TryGetValue(param.Handle, out var s) && s is State { exp_avg: var m, exp_avg_sq: var v } && m.is_contiguous() && v.is_contiguous();

        /// <summary>
        /// What <see cref="step"/> does to <paramref name="param"/> when its gradient is <paramref name="gradient"/>, for
        /// a gradient computed outside autograd (<see cref="FusedTrainingStep"/>). Only where <see cref="UpdatesInPlace"/>.
        /// </summary>
        internal void Update(Parameter param, ReadOnlySpan<float> gradient)
        {
            var (state, c) = Prepare(param);
            AdamKernel.Dense(Floats(param), gradient, Floats(state.exp_avg), Floats(state.exp_avg_sq), c);
            state.step += 1;
        }

        /// <summary>
        /// What <see cref="step"/> does to a table whose row-sparse gradient has the rows <paramref name="indices"/> and the
        /// values laid out as <see cref="AdamKernel.Rows(Span{float}, Span{float}, Span{float}, int, ReadOnlySpan{long}, ReadOnlySpan{float}, int, int, in AdamCoefficients, AdamKernel.RowScratch)"/>
        /// reads them. Only where <see cref="UpdatesInPlace"/>.
        /// </summary>
        internal void UpdateRows(Parameter table, ReadOnlySpan<long> indices, ReadOnlySpan<float> values, int perLine, int lineStride)
        {
            var (state, c) = Prepare(table);
            AdamKernel.Rows(Floats(table), Floats(state.exp_avg), Floats(state.exp_avg_sq), (int)(table.numel() / table.shape[0]),
                indices, values, perLine, lineStride, c, Scratch(table));
            state.step += 1;
        }

        private (State State, AdamCoefficients Coefficients) Prepare(Parameter param)
        {
            var state = (State)_state[param.Handle];
            if (!_groupOf.TryGetValue(param.Handle, out var options))
            {
                // Tensor.Equals compares elements: match the parameter by its handle, as the state does.
                _groupOf = _parameter_groups.SelectMany(g => g.Parameters.Select(p => (p.Handle, g.Options))).ToDictionary(x => x.Handle, x => (Options)x.Options);
                options = _groupOf[param.Handle];
            }
            return (state, StepCoefficients(options, state));
        }

        private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);

        private AdamKernel.RowScratch Scratch(Parameter table)
        {
            if (!_rowScratch.TryGetValue(table.Handle, out var scratch))
                _rowScratch[table.Handle] = scratch = new AdamKernel.RowScratch();
            return scratch;
        }

        /// <summary>
        /// The update as one <see cref="AdamKernel"/> pass, for contiguous float32 CPU tensors within the 2 GiB a
        /// span addresses; false (nothing done) for the others, which take the LibTorch path.
        /// </summary>
        private bool TryFusedStep(Parameter param, Tensor grad, State state, AdamCoefficients c)
        {
            if (!UpdatesInPlace(param))
                return false;
            var weights = Floats(param);
            var mean = Floats(state.exp_avg);
            var square = Floats(state.exp_avg_sq);
            if (!grad.is_sparse)
            {
                using var dense = grad.contiguous();
                AdamKernel.Dense(weights, Floats(dense), mean, square, c);
                return true;
            }
            using var rawValues = grad.SparseValues;
            if (rawValues.numel() > SpanMath.MaxFloats || rawValues.shape[0] > int.MaxValue / sizeof(long))
                return false;   // values, or their one int64 index per row, beyond a span
            using var rawIndices = grad.SparseIndices;
            using var indices = rawIndices.contiguous();
            using var values = rawValues.contiguous();
            AdamKernel.Rows(weights, mean, square, (int)(param.numel() / param.shape[0]),
                MemoryMarshal.Cast<byte, long>(indices.bytes), Floats(values), c, Scratch(param));
            return true;
        }

        private static void DenseStep(Parameter param, Tensor grad, State state, AdamCoefficients c)
        {
            using var s = new Coefficients(c);
            if (s.WeightDecay is { } decay)
                grad = grad.add(param, alpha: decay);
            state.exp_avg.mul_(s.Beta1).add_(grad, alpha: s.OneMinusBeta1);
            state.exp_avg_sq.mul_(s.Beta2).addcmul_(grad, grad, value: s.OneMinusBeta2);
            var denominator = state.exp_avg_sq.sqrt().div_(s.Correction2).add_(s.Eps);
            param.addcdiv_(state.exp_avg, denominator, value: s.MinusStepSize);
        }

        private static void LazyStep(Parameter param, Tensor grad, State state, AdamCoefficients c)
        {
            using var s = new Coefficients(c);
            // The gradient is uncoalesced (one entry per lookup, repeats included): sum repeats per row. Rows come
            // sorted, so the gathers and puts below walk the tables in address order.
            var (rows, inverse, _) = grad.SparseIndices[0].unique(sorted: true, return_inverse: true);
            var lookups = grad.SparseValues;
            var shape = (long[])lookups.shape.Clone();
            shape[0] = rows.shape[0];
            var g = zeros(shape, lookups.dtype, lookups.device).index_add_(0, inverse!, lookups, s.One);
            if (s.WeightDecay is { } decay)
                g.add_(param.index_select(0, rows), alpha: decay);
            var m = state.exp_avg.index_select(0, rows).mul_(s.Beta1).add_(g, alpha: s.OneMinusBeta1);
            var v = state.exp_avg_sq.index_select(0, rows).mul_(s.Beta2).addcmul_(g, g, value: s.OneMinusBeta2);
            var weights = param.index_select(0, rows).addcdiv_(m, v.sqrt().div_(s.Correction2).add_(s.Eps), value: s.MinusStepSize);
            // Rows are unique, so writing them back is a plain put (faster in LibTorch than index_copy_ or index_add_).
            state.exp_avg.index_put_(m, rows);
            state.exp_avg_sq.index_put_(v, rows);
            param.index_put_(weights, rows);
        }

        /// <summary>
        /// One step's coefficients as Scalars made once and disposed when the update ends: otherwise every
        /// operation makes a temporary Scalar (a native allocation each) and leaves it to the finalizer,
        /// which may free it while LibTorch still reads it (see <c>NoCollectionRegion</c>).
        /// </summary>
        private sealed class Coefficients(AdamCoefficients c) : IDisposable
        {
            public Scalar One { get; } = 1.0.ToScalar();
            public Scalar Beta1 { get; } = c.Beta1.ToScalar();
            public Scalar OneMinusBeta1 { get; } = c.OneMinusBeta1.ToScalar();
            public Scalar Beta2 { get; } = c.Beta2.ToScalar();
            public Scalar OneMinusBeta2 { get; } = c.OneMinusBeta2.ToScalar();
            public Scalar Eps { get; } = c.Eps.ToScalar();
            public Scalar Correction2 { get; } = c.Correction2.ToScalar();
            public Scalar MinusStepSize { get; } = c.MinusStepSize.ToScalar();
            public Scalar? WeightDecay { get; } = c.WeightDecay != 0 ? c.WeightDecay.ToScalar() : null;

            public void Dispose()
            {
                foreach (var scalar in new[] { One, Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, Eps, Correction2, MinusStepSize, WeightDecay })
                    scalar?.Dispose();
            }
        }
    }

    /// <summary>AdamW on densified gradients.</summary>
    internal sealed class AdamW(IEnumerable<Parameter> parameters, double lr, double weight_decay)
        : TorchSharp.Modules.AdamW(parameters, lr, weight_decay: weight_decay)
    {
        public override Tensor step(Func<Tensor>? closure = null)
        {
            Densify(_parameter_groups);
            return base.step(closure);
        }
    }

    /// <summary>Adagrad on densified gradients.</summary>
    internal sealed class Adagrad(IEnumerable<Parameter> parameters, double lr, double weight_decay)
        : TorchSharp.Modules.Adagrad(parameters, lr, weight_decay: weight_decay)
    {
        public override Tensor step(Func<Tensor>? closure = null)
        {
            Densify(_parameter_groups);
            return base.step(closure);
        }
    }

    /// <summary>SGD on densified gradients.</summary>
    internal sealed class SGD(IEnumerable<Parameter> parameters, double lr, double momentum, double weight_decay)
        : TorchSharp.Modules.SGD(parameters, lr, momentum: momentum, weight_decay: weight_decay)
    {
        public override Tensor step(Func<Tensor>? closure = null)
        {
            Densify(_parameter_groups);
            return base.step(closure);
        }
    }

    /// <summary>Replaces every row-sparse gradient by its dense equivalent; later steps accumulate into the dense one.</summary>
    private static void Densify(IEnumerable<TorchSharp.Modules.ParamGroup> groups)
    {
        foreach (var group in groups)
        {
            foreach (var param in group.Parameters)
            {
                using var grad = param.grad;
                if (grad is not { is_sparse: true })
                    continue;
                using var dense = grad.to_dense();
                param.grad = dense;
            }
        }
    }
}
