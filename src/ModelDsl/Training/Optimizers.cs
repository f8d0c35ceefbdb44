using System;
using System.Collections.Generic;
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
    /// step unchanged. Weight decay (L2), like the gradient, reaches only the rows looked up.
    /// </summary>
    internal sealed class Adam : TorchSharp.Modules.Adam
    {
        public Adam(IEnumerable<Parameter> parameters, double lr, double weightDecay)
            : base(parameters, lr, weight_decay: weightDecay)
        {
        }

        public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
        {
            var options = (Options)group.Options;
            Coefficients? c = null;
            try
            {
                foreach (var param in group.Parameters)
                {
                    var grad = param.grad;
                    if (grad is null)
                        continue;
                    var state = (State)_state[param.Handle];
                    state.step += 1;
                    if (c?.Step != state.step)
                    {
                        c?.Dispose();
                        c = new Coefficients(options, state.step);
                    }
                    if (grad.is_sparse)
                    {
                        LazyStep(param, grad, state, c);
                        continue;
                    }
                    if (c.WeightDecay is { } decay)
                        grad = grad.add(param, alpha: decay);
                    state.exp_avg.mul_(c.Beta1).add_(grad, alpha: c.OneMinusBeta1);
                    state.exp_avg_sq.mul_(c.Beta2).addcmul_(grad, grad, value: c.OneMinusBeta2);
                    var denominator = state.exp_avg_sq.sqrt().div_(c.Correction2).add_(c.Eps);
                    param.addcdiv_(state.exp_avg, denominator, value: c.MinusStepSize);
                }
            }
            finally
            {
                c?.Dispose();
            }
        }, closure);

        private static void LazyStep(Parameter param, Tensor grad, State state, Coefficients c)
        {
            // The gradient is uncoalesced (one entry per lookup, repeats included): sum repeats per row. Rows come
            // sorted, so the gathers and puts below walk the tables in address order.
            var (rows, inverse, _) = grad.SparseIndices[0].unique(sorted: true, return_inverse: true);
            var lookups = grad.SparseValues;
            var shape = (long[])lookups.shape.Clone();
            shape[0] = rows.shape[0];
            var g = zeros(shape, lookups.dtype, lookups.device).index_add_(0, inverse!, lookups, c.One);
            if (c.WeightDecay is { } decay)
                g.add_(param.index_select(0, rows), alpha: decay);
            var m = state.exp_avg.index_select(0, rows).mul_(c.Beta1).add_(g, alpha: c.OneMinusBeta1);
            var v = state.exp_avg_sq.index_select(0, rows).mul_(c.Beta2).addcmul_(g, g, value: c.OneMinusBeta2);
            var weights = param.index_select(0, rows).addcdiv_(m, v.sqrt().div_(c.Correction2).add_(c.Eps), value: c.MinusStepSize);
            // Rows are unique, so writing them back is a plain put (faster in LibTorch than index_copy_ or index_add_).
            state.exp_avg.index_put_(m, rows);
            state.exp_avg_sq.index_put_(v, rows);
            param.index_put_(weights, rows);
        }

        /// <summary>
        /// One step's coefficients as Scalars made once and disposed when the step ends: otherwise every
        /// operation on every parameter makes a temporary Scalar (a native allocation each) and leaves it to
        /// the finalizer, which may free it while LibTorch still reads it (see <c>NoCollectionRegion</c>).
        /// </summary>
        private sealed class Coefficients : IDisposable
        {
            public Coefficients(Options options, long step)
            {
                double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weightDecay = options.weight_decay!.Value;
                Step = step;
                One = 1.0.ToScalar();
                Beta1 = beta1.ToScalar();
                OneMinusBeta1 = (1 - beta1).ToScalar();
                Beta2 = beta2.ToScalar();
                OneMinusBeta2 = (1 - beta2).ToScalar();
                Eps = options.eps!.Value.ToScalar();
                Correction2 = Math.Sqrt(1 - Math.Pow(beta2, step)).ToScalar();
                MinusStepSize = (-options.LearningRate!.Value / (1 - Math.Pow(beta1, step))).ToScalar();
                WeightDecay = weightDecay != 0 ? weightDecay.ToScalar() : null;
            }

            public long Step { get; }
            public Scalar One { get; }
            public Scalar Beta1 { get; }
            public Scalar OneMinusBeta1 { get; }
            public Scalar Beta2 { get; }
            public Scalar OneMinusBeta2 { get; }
            public Scalar Eps { get; }
            public Scalar Correction2 { get; }
            public Scalar MinusStepSize { get; }
            public Scalar? WeightDecay { get; }

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
