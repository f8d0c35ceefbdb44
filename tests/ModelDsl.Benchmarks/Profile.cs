using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using ModelDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Benchmarks;

/// <summary>
/// Where a training step's time goes: forward (with the loss), backward, optimizer step (zero_grad included),
/// for the generated network under the trainer's own optimizer and for the plain baseline under dense Adam;
/// median milliseconds per part over the same batches, interleaved.
/// </summary>
internal static class Profile
{
    private const int BatchSize = 512;

    public static void Run(BenchContext context)
    {
        var data = BenchMmoe.Synthetic(BatchSize * 8, seed: 1);
        var ids = data.SelectMany(s => new[] { s.C0, s.C1, s.C2, s.C3, s.C4, s.C5, s.C6, s.C7 }).ToArray();
        var numbers = data.SelectMany(s => new[] { s.N0, s.N1, s.N2, s.N3, s.N4, s.N5, s.N6, s.N7 }).ToArray();
        var labels = data.SelectMany(s => new[] { s.Click ? 1f : 0f, s.Like ? 1f : 0f }).ToArray();
        using var categorical = tensor(ids, [data.Count, BenchMmoe.Categorical]);
        using var numeric = tensor(numbers, [data.Count, BenchMmoe.Numeric]);
        using var targets = tensor(labels, [data.Count, BenchMmoe.Tasks]);
        using var trainer = new BenchMmoe.Trainer(new TrainingOptions { BatchSize = BatchSize, Seed = 42 });
        var network = trainer.Network;
        using var generatedOptimizer = CreateTrainerOptimizer(trainer);
        manual_seed(42);
        using var plain = new PlainMmoe();
        using var plainOptimizer = optim.Adam(plain.parameters(), 1e-3);
        using var matmuls = new Matmuls();
        var parts = new Dictionary<string, List<double>>();
        var steps = 12 * context.Rounds;
        // Untimed steps first, for as long as the training sections warm up: until .NET's tiered JIT has optimized the managed side, steps run slower.
        var warm = Stopwatch.GetTimestamp();
        for (int step = 0, timedSteps = 0; timedSteps < steps; step++)
        {
            var timed = Stats.Seconds(warm) >= Sections.WarmSeconds;
            timedSteps += timed ? 1 : 0;
            var rows = step % 8 * BatchSize;
            using var scope = NewDisposeScope();
            var c = categorical.narrow(0, rows, BatchSize);
            var n = numeric.narrow(0, rows, BatchSize);
            var y = targets.narrow(0, rows, BatchSize);
            Step("generated", network, (a, b) => network.forward(a, b), network.Penalty, generatedOptimizer, c, n, y, timed ? parts : null);
            Step("plain", plain, (a, b) => plain.forward(a, b), null, plainOptimizer, c, n, y, timed ? parts : null);
            var alone = matmuls.Time();
            if (timed)
                Add(parts, "matmuls", alone);
        }
        foreach (var side in new[] { "generated", "plain" })
        {
            var total = parts[$"{side} total"];
            Console.WriteLine($"{side,-9}: forward+loss {Ms(parts[$"{side} forward"])} ms, backward {Ms(parts[$"{side} backward"])} ms, optimizer {Ms(parts[$"{side} optimizer"])} ms; step {Ms(total)} ms = {BatchSize / Stats.Median(total):N0} samples/s; thread CPU {Ms(parts[$"{side} cpu"])} ms/step (medians of {total.Count} steps)");
        }
        var products = Stats.Median(parts["matmuls"]);
        var rate = BenchMmoe.TrainFlops * BatchSize / products / 1e9;
        Console.WriteLine($"matmuls  : the step's matrix products alone at the model's shapes (forward and both backward products, no other work) {products * 1e3:F2} ms = {rate:F1} GFLOP/s = {rate / context.EnsureMatmul():P0} of the machine matmul rate ({context.EnsureMatmul():F1} GFLOP/s): the ceiling of the useful rate");
    }

    private static string Ms(List<double> seconds) => (Stats.Median(seconds) * 1e3).ToString("F2");

    private static void Step(string side, nn.Module module, Func<Tensor, Tensor, Tensor> forward, Func<Tensor, Tensor>? penalty, optim.Optimizer optimizer,
        Tensor categorical, Tensor numeric, Tensor targets, Dictionary<string, List<double>>? parts)
    {
        module.train();
        var cpu = Stats.ThreadCpuSeconds();
        var begin = Stopwatch.GetTimestamp();
        var logits = forward(categorical, numeric);
        var loss = nn.functional.binary_cross_entropy_with_logits(logits[.., 0], targets[.., 0])
            + nn.functional.binary_cross_entropy_with_logits(logits[.., 1], targets[.., 1]);
        if (penalty is not null)
            loss += penalty(categorical);
        var forwardEnd = Stopwatch.GetTimestamp();
        optimizer.zero_grad();
        loss.backward();
        var backwardEnd = Stopwatch.GetTimestamp();
        optimizer.step();
        var end = Stopwatch.GetTimestamp();
        cpu = Stats.ThreadCpuSeconds() - cpu;
        if (parts is null)
            return;
        Add(parts, $"{side} forward", Stopwatch.GetElapsedTime(begin, forwardEnd).TotalSeconds);
        Add(parts, $"{side} backward", Stopwatch.GetElapsedTime(forwardEnd, backwardEnd).TotalSeconds);
        Add(parts, $"{side} optimizer", Stopwatch.GetElapsedTime(backwardEnd, end).TotalSeconds);
        Add(parts, $"{side} total", Stopwatch.GetElapsedTime(begin, end).TotalSeconds);
        Add(parts, $"{side} cpu", cpu);
    }

    private static void Add(Dictionary<string, List<double>> parts, string key, double value)
    {
        if (!parts.TryGetValue(key, out var list))
            parts[key] = list = [];
        list.Add(value);
    }

    /// <summary>The optimizer Fit would create for this trainer's options.</summary>
    private static optim.Optimizer CreateTrainerOptimizer(BenchMmoe.Trainer trainer) =>
        Optimizers.Create(new TrainingOptions { BatchSize = BatchSize }, trainer.Network.parameters());

    /// <summary>
    /// The reference MMoE's matrix products per training step at batch 512: experts' first layer (as the generated code
    /// fuses it), their second as one batched product, the gates, the towers; each forward product A·B with its two
    /// backward products, dC·Bᵀ and Aᵀ·dC.
    /// </summary>
    private sealed class Matmuls : IDisposable
    {
        private const int Input = BenchMmoe.Categorical * BenchMmoe.Dim + BenchMmoe.Numeric;
        private static readonly (long Batch, long M, long K, long N)[] Shapes =
        [
            (1, BatchSize, Input, BenchMmoe.Experts * BenchMmoe.Expert1),
            (BenchMmoe.Experts, BatchSize, BenchMmoe.Expert1, BenchMmoe.Expert2),
            (1, BatchSize, Input, BenchMmoe.Tasks * BenchMmoe.Experts),
            (BenchMmoe.Tasks, BatchSize, BenchMmoe.Expert2, BenchMmoe.Tower),
            (BenchMmoe.Tasks, BatchSize, BenchMmoe.Tower, 1),
        ];

        private readonly Tensor[][] _operands = Shapes.Select(s => new[]
        {
            randn(s.Batch, s.M, s.K), randn(s.Batch, s.K, s.N), randn(s.Batch, s.M, s.N),
        }).ToArray();

        /// <summary>Seconds for one step's products.</summary>
        public double Time()
        {
            var begin = Stopwatch.GetTimestamp();
            foreach (var (a, b, dc) in _operands.Select(o => (o[0], o[1], o[2])))
            {
                using var c = bmm(a, b);
                using var da = bmm(dc, b.transpose(1, 2));
                using var db = bmm(a.transpose(1, 2), dc);
            }
            return Stats.Seconds(begin);
        }

        public void Dispose()
        {
            foreach (var tensor in _operands.SelectMany(o => o))
                tensor.Dispose();
        }
    }
}
