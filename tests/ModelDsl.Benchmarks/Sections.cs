using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using Google.Protobuf;
using ModelDsl.Layers;
using ModelDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelDsl.Benchmarks;

internal static class Sections
{
    private const int BatchSize = 512;
    /// <summary>Steps skipped at the start of every timed epoch, while its data comes into cache.</summary>
    internal const int WarmSteps = 3;

    /// <summary>The training sections' settings: one epoch per Fit call, so epochs of both sides can alternate.</summary>
    private static readonly TrainingOptions TrainOptions = new() { Epochs = 1, BatchSize = BatchSize, LearningRate = 1e-3, Seed = 42 };

    public static void Matmul(BenchContext context)
    {
        var all = new List<double>();
        foreach (var n in new[] { 1024, 2048 })
        {
            var rates = new List<double>();
            for (var r = 0; r < context.Rounds; r++)
                rates.AddRange(Stats.MatmulRates(n, 3));
            Console.WriteLine($"torch.mm float32 {n}×{n}: median {Stats.Median(rates):F1} GFLOP/s, best {rates.Max():F1}, worst {rates.Min():F1} ({rates.Count} products)");
            all.AddRange(rates);
        }
        context.MatmulRate = Stats.Median(all);
        Console.WriteLine($"Machine matmul rate (median of all products): {context.MatmulRate:F1} GFLOP/s");
    }

    /// <summary>
    /// Generated trainer (Fit, each step timed through progress) vs the hand-written baseline over the same
    /// samples, alternating short epochs; rates come from median step times, which a burst of load on the
    /// shared machine moves less than a mean.
    /// </summary>
    public static void Train(BenchContext context)
    {
        var data = BenchMmoe.Synthetic(context.Samples, seed: 1);
        using var trainer = new BenchMmoe.Trainer(TrainOptions);
        manual_seed(42);
        using var plain = new PlainMmoe();
        using var adam = optim.Adam(plain.parameters(), 1e-3);
        var generated = new List<double>();
        var baseline = new List<double>();
        var generatedCpu = new List<double>();
        var baselineCpu = new List<double>();
        var pairRatios = new List<double>();
        var fits = new List<double>();
        var matmul = new List<double>();
        Warm(trainer, data);
        PlainMmoe.TrainEpoch(plain, adam, data, BatchSize);
        var pairs = Math.Max(2 * context.Rounds, 4);
        for (var pair = 0; pair < pairs; pair++)
        {
            List<double> g = [], b = [];
            for (var side = 0; side < 2; side++)
            {
                if ((side + pair) % 2 == 0)
                {
                    var clock = new StepClock();
                    var begin = Stopwatch.GetTimestamp();
                    trainer.Fit(data, progress: clock);
                    fits.Add(Stats.Seconds(begin));
                    g = clock.Steps.Skip(WarmSteps).ToList();
                    generatedCpu.AddRange(clock.CpuSteps.Skip(WarmSteps));
                }
                else
                {
                    var steps = PlainMmoe.TrainEpoch(plain, adam, data, BatchSize).Skip(WarmSteps).ToList();
                    b = steps.Select(s => s.Wall).ToList();
                    baselineCpu.AddRange(steps.Select(s => s.Cpu));
                }
            }
            generated.AddRange(g);
            baseline.AddRange(b);
            pairRatios.Add(Stats.Median(b) / Stats.Median(g));
            matmul.AddRange(Stats.MatmulRates(1024, 1));
            Console.WriteLine($"pair {pair + 1}: generated {BatchSize / Stats.Median(g):N0} samples/s, plain {BatchSize / Stats.Median(b):N0} samples/s (median steps), ratio {pairRatios[^1]:F2}×; whole Fit incl. encoding and end-of-epoch evaluation {fits[^1]:F2} s; matmul {matmul[^1]:F0} GFLOP/s");
        }
        var rate = BatchSize / Stats.Median(generated);
        var plainRate = BatchSize / Stats.Median(baseline);
        var meanRate = BatchSize * generated.Count / generated.Sum();
        var plainMean = BatchSize * baseline.Count / baseline.Sum();
        context.TrainRate = rate;
        context.MatmulRate ??= Stats.Median(matmul);
        Console.WriteLine($"Training, batch {BatchSize}, Adam, {context.Samples:N0} samples per epoch, {pairs} alternating epoch pairs after {WarmSeconds} s of untimed epochs (the baseline: one), first {WarmSteps} steps of each epoch skipped:");
        Console.WriteLine($"  generated Trainer.Fit  {rate:N0} samples/s from the median step ({generated.Count} steps; mean-based {meanRate:N0})");
        Console.WriteLine($"  plain TorchSharp       {plainRate:N0} samples/s from the median step ({baseline.Count} steps; mean-based {plainMean:N0})");
        Console.WriteLine($"  ratio                  {rate / plainRate:F2}× of median steps; per pair median {Stats.Median(pairRatios):F2}× (min {pairRatios.Min():F2}, max {pairRatios.Max():F2}); goal ≥ 2×");
        if (TorchSharp.torch.get_num_threads() == 1 && OperatingSystem.IsLinux())
            Console.WriteLine($"  thread CPU time        generated {Stats.Median(generatedCpu) * 1e3:F2} ms/step = {BatchSize / Stats.Median(generatedCpu):N0} samples per CPU-second, plain {Stats.Median(baselineCpu) * 1e3:F2} ms/step = {BatchSize / Stats.Median(baselineCpu):N0}; ratio {Stats.Median(baselineCpu) / Stats.Median(generatedCpu):F2}× (medians; load from other processes does not count)");
        var useful = rate * BenchMmoe.TrainFlops / 1e9;
        var matmulRate = context.MatmulRate.Value;
        Console.WriteLine($"  useful training FLOP/s {useful:F2} GFLOP/s = {useful / matmulRate:P1} of the machine matmul rate ({matmulRate:F1} GFLOP/s); plain baseline {plainRate * BenchMmoe.TrainFlops / 1e9 / matmulRate:P1}");
    }

    /// <summary>
    /// The generated trainer's Fit with nothing else in between (no baseline evicting its caches): its steady step and
    /// useful FLOP/s, and the section to run under a profiler. Epochs of the fused mixture (<see cref="FusedMixture"/>) and
    /// of the same network layer by layer alternate. Then the same graph with every width 1 (<see cref="BenchMmoeWidthOne"/>):
    /// what a step costs in per-operation charges alone.
    /// </summary>
    public static void Fit(BenchContext context)
    {
        var data = BenchMmoe.Synthetic(context.Samples, seed: 1);
        using var fused = new BenchMmoe.Trainer(TrainOptions);
        using var layered = new BenchMmoe.Trainer(TrainOptions);
        Warm(fused, data);
        using (FusedMixture.LayerByLayer())
            Warm(layered, data);
        var (fusedSteps, layeredSteps) = (new List<double>(), new List<double>());
        for (var epoch = 0; epoch < 5 * context.Rounds; epoch++)
        {
            fusedSteps.AddRange(Epoch(fused, data));
            using (FusedMixture.LayerByLayer())
                layeredSteps.AddRange(Epoch(layered, data));
        }
        var matmulRate = context.EnsureMatmul();
        foreach (var (name, steps) in new[] { ("fused", fusedSteps), ("layer by layer", layeredSteps) })
        {
            var step = Stats.Median(steps);
            var useful = BatchSize * BenchMmoe.TrainFlops / step / 1e9;
            Console.WriteLine($"generated Trainer.Fit, {name}, {5 * context.Rounds} epochs of {context.Samples:N0} samples alternating: median step {step * 1e3:F2} ms = {BatchSize / step:N0} samples/s; " +
                $"useful training FLOP/s {useful:F1} GFLOP/s = {useful / matmulRate:P1} of the machine matmul rate ({matmulRate:F1} GFLOP/s)");
        }
        using var widthOne = new BenchMmoeWidthOne.Trainer(TrainOptions);
        var small = data.Select(BenchMmoeWidthOne.From).ToList();
        Warm(widthOne, small);
        var widthOneSteps = Enumerable.Range(0, 5 * context.Rounds).SelectMany(_ => Epoch(widthOne, small)).ToList();
        Console.WriteLine($"the same graph with every width 1 (BenchMmoeWidthOne), fused: median step {Stats.Median(widthOneSteps) * 1e3:F2} ms, the per-operation part of the step");
    }

    /// <summary>
    /// Untimed epochs for at least <see cref="WarmSeconds"/>: .NET's tiered JIT starts code unoptimized and promotes it in the
    /// background, which takes seconds (one epoch left steps 40 % slower than after three seconds).
    /// </summary>
    internal static void Warm<T>(ModelTrainer<T> trainer, IReadOnlyList<T> data)
    {
        var begin = Stopwatch.GetTimestamp();
        do
            trainer.Fit(data);
        while (Stats.Seconds(begin) < WarmSeconds);
    }

    internal const double WarmSeconds = 3;

    /// <summary>One epoch's step times, its first <see cref="WarmSteps"/> skipped.</summary>
    internal static IEnumerable<double> Epoch<T>(ModelTrainer<T> trainer, IReadOnlyList<T> data)
    {
        var clock = new StepClock();
        trainer.Fit(data, progress: clock);
        return clock.Steps.Skip(WarmSteps);
    }

    internal sealed class StepClock : IProgress<TrainingProgress>
    {
        private long _last = Stopwatch.GetTimestamp();
        private double _lastCpu = Stats.ThreadCpuSeconds();

        public List<double> Steps { get; } = [];

        /// <summary>Thread CPU seconds of each step (Fit reports progress on the thread that trains).</summary>
        public List<double> CpuSteps { get; } = [];

        public void Report(TrainingProgress value)
        {
            if (value.Completed is not null)
                return;
            var now = Stopwatch.GetTimestamp();
            var cpu = Stats.ThreadCpuSeconds();
            Steps.Add(Stopwatch.GetElapsedTime(_last, now).TotalSeconds);
            CpuSteps.Add(cpu - _lastCpu);
            (_last, _lastCpu) = (now, cpu);
        }

        public double SamplesPerSecond(int batchSize) => batchSize / Stats.Median(Steps.Skip(WarmSteps).ToList());
    }

    /// <summary>Predictor (ONNX Runtime) vs TorchSharp eager no_grad forward of the same trained network.</summary>
    public static void Score(BenchContext context)
    {
        var matmulRate = context.EnsureMatmul();
        var data = BenchMmoe.Synthetic(Math.Max(context.Samples, 2_000), seed: 2);
        using var trainer = new BenchMmoe.Trainer(new TrainingOptions { Epochs = 1, BatchSize = BatchSize, Seed = 42 });
        trainer.Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"modeldsl-bench-{Environment.ProcessId}.onnx");
        trainer.ExportOnnx(path);
        try
        {
            using var predictor = new BenchMmoe.Predictor(path);
            var features = data.Select(s => s.ToFeatures()).ToArray();
            var eager = new Eager(trainer.Network);

            // Parity check, so both sides compute the same thing.
            var check = new BenchMmoe.Prediction[8];
            predictor.Predict(features.AsSpan(0, 8), check);
            var torchCheck = eager.Predict(features.AsSpan(0, 8));
            var gap = Enumerable.Range(0, 8).Max(i => Math.Max(Math.Abs(check[i].Click - torchCheck[i * 2]), Math.Abs(check[i].Like - torchCheck[i * 2 + 1])));
            var singleGap = Enumerable.Range(0, 8).Max(i => { var p = predictor.Predict(features[i]); return Math.Max(Math.Abs(p.Click - check[i].Click), Math.Abs(p.Like - check[i].Like)); });
            Console.WriteLine($"ONNX vs TorchSharp max |difference| on 8 candidates: {gap:E1}; single-candidate vs batched Predict: {singleGap:E1}");

            foreach (var candidates in new[] { 1, 1000 })
            {
                var calls = candidates == 1 ? 400 : 8;
                var blocks = candidates == 1 ? 10 * context.Rounds : 4 * context.Rounds;
                var onnx = new List<double>();
                var torch = new List<double>();
                var predictions = new BenchMmoe.Prediction[candidates];
                var offset = 0;
                for (var block = -1; block < blocks; block++) // block −1 warms both up
                {
                    for (var side = 0; side < 2; side++)
                    {
                        for (var c = 0; c < calls; c++)
                        {
                            offset = (offset + candidates) % (features.Length - candidates);
                            var slice = features.AsSpan(offset, candidates);
                            var begin = Stopwatch.GetTimestamp();
                            if ((side + block) % 2 == 0)
                            {
                                if (candidates == 1)
                                    predictions[0] = predictor.Predict(slice[0]);
                                else
                                    predictor.Predict(slice, predictions);
                                if (block >= 0) onnx.Add(Stats.Seconds(begin));
                            }
                            else
                            {
                                eager.Predict(slice);
                                if (block >= 0) torch.Add(Stats.Seconds(begin));
                            }
                        }
                    }
                }
                var (op50, op99, tp50, tp99) = (Stats.Percentile(onnx, 50), Stats.Percentile(onnx, 99), Stats.Percentile(torch, 50), Stats.Percentile(torch, 99));
                Console.WriteLine($"{candidates,5} candidate(s): Predictor p50 {op50 * 1e6:F1} µs p99 {op99 * 1e6:F1} µs | TorchSharp eager p50 {tp50 * 1e6:F1} µs p99 {tp99 * 1e6:F1} µs | eager/Predictor p50 {tp50 / op50:F1}× ({onnx.Count} + {torch.Count} calls, interleaved)");
                if (candidates > 1)
                {
                    var rate = candidates * (double)BenchMmoe.ForwardFlops / op50 / 1e9;
                    Console.WriteLine($"      Predictor at {candidates} candidates: {candidates / op50:N0} candidates/s, {rate:F1} GFLOP/s = {rate / matmulRate:P0} of the matmul rate ({matmulRate:F1} GFLOP/s); eager {candidates * (double)BenchMmoe.ForwardFlops / tp50 / 1e9:F1} GFLOP/s");
                }
            }

            // Allocation per call in steady state, on this thread.
            var single = features[0];
            var batch = new BenchMmoe.Prediction[1000];
            for (var i = 0; i < 2_000; i++)
                predictor.Predict(features[i % 100]);
            const int n = 20_000;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < n; i++)
                predictor.Predict(features[i % 100]);
            var singleBytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)n;
            for (var i = 0; i < 20; i++)
                predictor.Predict(features.AsSpan(0, 1000), batch);
            before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
                predictor.Predict(features.AsSpan(0, 1000), batch);
            var batchBytes = (GC.GetAllocatedBytesForCurrentThread() - before) / 100.0;
            for (var i = 0; i < 200; i++)
                eager.Predict(features.AsSpan(0, 1));
            before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 2_000; i++)
                eager.Predict(features.AsSpan(i % 100, 1));
            var eagerBytes = (GC.GetAllocatedBytesForCurrentThread() - before) / 2_000.0;
            Console.WriteLine($"Managed bytes allocated per call (steady state, GC.GetAllocatedBytesForCurrentThread): Predict(1) {singleBytes:F1} B over {n:N0} calls; Predict(1,000) {batchBytes:F0} B; TorchSharp eager (1) {eagerBytes:F0} B");
            _ = single;
            CompareWithBareSession(path, predictor, features, context.Rounds);
            CompareThreadSettings(path, features, context.Rounds);
            RuntimeFloor(path, context.Rounds);
            LearnedLookups(predictor, data, context.Rounds);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// The cost of learned vocabularies in serving: the same MMoE with every id learned (its graph maps 8 raw ids through
    /// LabelEncoders) against the sized one, single candidates and batches of 1,000, blocks alternating; and the learned
    /// predictor's managed allocation per call (raw ids go to ONNX Runtime as the sized model's ids do).
    /// </summary>
    private static void LearnedLookups(BenchMmoe.Predictor sized, List<BenchMmoe> data, int rounds)
    {
        var samples = data.Select(BenchMmoeLearned.From).ToList();
        using var trainer = new BenchMmoeLearned.Trainer(new TrainingOptions { Epochs = 1, BatchSize = BatchSize, Seed = 42 });
        trainer.Fit(samples);
        var path = Path.Combine(Path.GetTempPath(), $"modeldsl-bench-learned-{Environment.ProcessId}.onnx");
        trainer.ExportOnnx(path);
        try
        {
            using var learned = new BenchMmoeLearned.Predictor(path);
            var sizedFeatures = data.Select(s => s.ToFeatures()).ToArray();
            var learnedFeatures = samples.Select(s => s.ToFeatures()).ToArray();
            var sizes = trainer.Network.Vocabularies.All.Select(v => v.Count).ToArray();
            foreach (var candidates in new[] { 1, 1000 })
            {
                var calls = candidates == 1 ? 400 : 8;
                var (plain, mapped) = (new List<double>(), new List<double>());
                var (sizedOut, learnedOut) = (new BenchMmoe.Prediction[candidates], new BenchMmoeLearned.Prediction[candidates]);
                for (var block = -1; block < 4 * rounds; block++)
                {
                    for (var side = 0; side < 2; side++)
                    {
                        for (var call = 0; call < calls; call++)
                        {
                            var offset = (call * candidates) % (sizedFeatures.Length - candidates);
                            var begin = Stopwatch.GetTimestamp();
                            if ((side + block) % 2 == 0)
                            {
                                if (candidates == 1)
                                    sizedOut[0] = sized.Predict(sizedFeatures[offset]);
                                else
                                    sized.Predict(sizedFeatures.AsSpan(offset, candidates), sizedOut);
                                if (block >= 0) plain.Add(Stats.Seconds(begin));
                            }
                            else
                            {
                                if (candidates == 1)
                                    learnedOut[0] = learned.Predict(learnedFeatures[offset]);
                                else
                                    learned.Predict(learnedFeatures.AsSpan(offset, candidates), learnedOut);
                                if (block >= 0) mapped.Add(Stats.Seconds(begin));
                            }
                        }
                    }
                }
                var (s50, l50) = (Stats.Percentile(plain, 50), Stats.Percentile(mapped, 50));
                Console.WriteLine($"Learned vocabularies ({string.Join("/", sizes)} ids kept), {candidates,4} candidate(s), p50: sized ids {s50 * 1e6:F1} µs, learned ids {l50 * 1e6:F1} µs ({(l50 - s50) * 1e6:F1} µs more: the graph's 8 LabelEncoder nodes)");
            }
            for (var i = 0; i < 2_000; i++)
                learned.Predict(learnedFeatures[i % 100]);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 20_000; i++)
                learned.Predict(learnedFeatures[i % 100]);
            Console.WriteLine($"Learned-id Predictor: managed bytes allocated per call (steady state): Predict(1) {(GC.GetAllocatedBytesForCurrentThread() - before) / 20_000.0:F1} B");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// The Predictor's default session options against fixed ONNX Runtime intra-op thread counts (1, and one per
    /// CPU with ONNX Runtime's spinning workers), at 1 and 1,000 candidates, blocks of calls alternating.
    /// </summary>
    private static void CompareThreadSettings(string path, BenchMmoe.Features[] features, int rounds)
    {
        Microsoft.ML.OnnxRuntime.SessionOptions? Threads(int count) => new() { IntraOpNumThreads = count };
        var settings = new (string Name, Microsoft.ML.OnnxRuntime.SessionOptions? Options)[]
        {
            ("default", null), ("1 thread", Threads(1)), ($"{Environment.ProcessorCount} threads", Threads(Environment.ProcessorCount)),
        };
        var predictors = settings.Select(s => new BenchMmoe.Predictor(path, s.Options)).ToArray();
        try
        {
            foreach (var candidates in new[] { 1, 1000 })
            {
                var calls = candidates == 1 ? 400 : 8;
                var times = settings.Select(_ => new List<double>()).ToArray();
                var predictions = new BenchMmoe.Prediction[candidates];
                for (var block = -1; block < 4 * rounds; block++) // block −1 warms every side up
                {
                    for (var side = 0; side < predictors.Length; side++)
                    {
                        var who = (side + Math.Max(block, 0)) % predictors.Length;
                        for (var call = 0; call < calls; call++)
                        {
                            var offset = (call * candidates) % (features.Length - candidates);
                            var begin = Stopwatch.GetTimestamp();
                            if (candidates == 1)
                                predictions[0] = predictors[who].Predict(features[offset]);
                            else
                                predictors[who].Predict(features.AsSpan(offset, candidates), predictions);
                            if (block >= 0) times[who].Add(Stats.Seconds(begin));
                        }
                    }
                }
                var p50 = times.Select(t => Stats.Percentile(t, 50)).ToArray();
                Console.WriteLine($"Predictor threads, {candidates,4} candidate(s), p50: " + string.Join(" | ", settings.Select((s, i) =>
                    $"{s.Name} {(p50[i] < 1e-3 ? $"{p50[i] * 1e6:F1} µs" : $"{p50[i] * 1e3:F2} ms")}{(i > 0 ? $" ({p50[0] / p50[i]:F2}× the default's speed)" : "")}")));
            }
        }
        finally
        {
            foreach (var predictor in predictors)
                predictor.Dispose();
            foreach (var (_, options) in settings)
                options?.Dispose();
        }
    }

    /// <summary>
    /// Single-candidate Predict against a bare ONNX Runtime session over the same file, bound once to one
    /// candidate's encoded inputs (the least a host can do per call): the predictor's own cost per call.
    /// Blocks of calls alternate; the predictor has already served batches of 8 and 1,000 by now.
    /// </summary>
    private static void CompareWithBareSession(string path, BenchMmoe.Predictor predictor, BenchMmoe.Features[] features, int rounds)
    {
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        var (categorical, numeric) = (new long[BenchMmoe.Categorical], new float[BenchMmoe.Numeric]);
        features[0].Encode(categorical, numeric);
        var outputs = new[] { new float[1], new float[1] };
        using var binding = session.CreateIoBinding();
        using var categoricalValue = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(categorical, [1, BenchMmoe.Categorical]);
        using var numericValue = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(numeric, [1, BenchMmoe.Numeric]);
        using var click = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(outputs[0], [1]);
        using var like = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(outputs[1], [1]);
        binding.BindInput("categorical", categoricalValue);
        binding.BindInput("numeric", numericValue);
        binding.BindOutput("Click", click);
        binding.BindOutput("Like", like);
        using var options = new Microsoft.ML.OnnxRuntime.RunOptions();
        var (bare, served) = (new List<double>(), new List<double>());
        for (var block = -1; block < 4 * rounds; block++)
        {
            for (var call = 0; call < 1_000; call++)
            {
                var begin = Stopwatch.GetTimestamp();
                session.RunWithBinding(options, binding);
                if (block >= 0) bare.Add(Stats.Seconds(begin));
            }
            for (var call = 0; call < 1_000; call++)
            {
                var begin = Stopwatch.GetTimestamp();
                predictor.Predict(features[call % 100]);
                if (block >= 0) served.Add(Stats.Seconds(begin));
            }
        }
        var (b50, p50) = (Stats.Percentile(bare, 50), Stats.Percentile(served, 50));
        Console.WriteLine($"Single candidate, not interleaved with eager: Predictor p50 {p50 * 1e6:F1} µs, bare ONNX Runtime session over the same file {b50 * 1e6:F1} µs ({(p50 - b50) * 1e6:F1} µs per call in the predictor: pooled buffers, encoding, decoding)");
    }

    /// <summary>
    /// ONNX Runtime's fixed cost, the floor under single-candidate latency: a run of a one-node graph, and
    /// each further node (bare sessions over chains of Relu on [1, 64], whose arithmetic is negligible;
    /// blocks alternate), next to how many nodes the exported graph runs after ONNX Runtime's own fusions.
    /// </summary>
    private static void RuntimeFloor(string path, int rounds)
    {
        const int extra = 20;
        using var shortChain = ChainSession(0);
        using var longChain = ChainSession(extra);
        var input = new float[64];
        var output = new float[1];
        using var inputValue = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(input, [1, 64]);
        using var outputValue = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(output, [1]);
        using var options = new Microsoft.ML.OnnxRuntime.RunOptions();
        var sessions = new[] { shortChain, longChain };
        var bindings = sessions.Select(session =>
        {
            var binding = session.CreateIoBinding();
            binding.BindInput("x", inputValue);
            binding.BindOutput("y", outputValue);
            return binding;
        }).ToArray();
        var times = new[] { new List<double>(), new List<double>() };
        for (var block = -1; block < 4 * rounds; block++)
        {
            for (var side = 0; side < 2; side++)
            {
                for (var call = 0; call < 1_000; call++)
                {
                    var begin = Stopwatch.GetTimestamp();
                    sessions[side].RunWithBinding(options, bindings[side]);
                    if (block >= 0) times[side].Add(Stats.Seconds(begin));
                }
            }
        }
        foreach (var binding in bindings)
            binding.Dispose();

        var optimized = Path.Combine(Path.GetTempPath(), $"modeldsl-bench-{Environment.ProcessId}.optimized.onnx");
        int exported, executed;
        try
        {
            using (new Microsoft.ML.OnnxRuntime.InferenceSession(path, new Microsoft.ML.OnnxRuntime.SessionOptions
            {
                OptimizedModelFilePath = optimized,
                LogSeverityLevel = Microsoft.ML.OnnxRuntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, // not its notice that saved graphs are machine-specific
            }))
            {
            }
            exported = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Node.Count;
            executed = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(optimized)).Graph.Node.Count;
        }
        finally
        {
            File.Delete(optimized);
        }
        var (run, perNode) = (Stats.Percentile(times[0], 50), (Stats.Percentile(times[1], 50) - Stats.Percentile(times[0], 50)) / extra);
        Console.WriteLine($"ONNX Runtime's fixed cost: a run of a one-node graph p50 {run * 1e6:F2} µs, each further node {perNode * 1e6:F2} µs (Relu chains on [1, 64]); " +
            $"the exported graph runs {executed} nodes after ONNX Runtime's fusions ({exported} as exported): {(run + (executed - 1) * perNode) * 1e6:F1} µs of fixed cost per run");
    }

    /// <summary>A session over x [batch, 64] → <paramref name="relus"/> × Relu → ReduceSum over axis 1 → y [batch].</summary>
    private static Microsoft.ML.OnnxRuntime.InferenceSession ChainSession(int relus)
    {
        var g = new ModelDsl.Onnx.OnnxGraphBuilder();
        var x = g.Input("x", global::Onnx.TensorProto.Types.DataType.Float, 64);
        for (var i = 0; i < relus; i++)
            x = g.Node("Relu", [x]);
        g.Output("y", g.Node("ReduceSum", [x, g.ConstantOnce("axes", [1])], attributes: ModelDsl.Onnx.OnnxGraphBuilder.Attribute("keepdims", 0L)));
        return new Microsoft.ML.OnnxRuntime.InferenceSession(g.Build([]).ToByteArray());
    }

    /// <summary>TorchSharp eager no_grad forward through <c>Network.Predict</c>, inputs encoded with the generated <c>Features.Encode</c>.</summary>
    private sealed class Eager(ModelDsl.Layers.MultiTaskNetwork network)
    {
        public float[] Predict(ReadOnlySpan<BenchMmoe.Features> features)
        {
            using var scope = NewDisposeScope();
            var ids = new long[features.Length * BenchMmoe.Categorical];
            var numbers = new float[features.Length * BenchMmoe.Numeric];
            for (var i = 0; i < features.Length; i++)
                features[i].Encode(ids.AsSpan(i * BenchMmoe.Categorical, BenchMmoe.Categorical), numbers.AsSpan(i * BenchMmoe.Numeric, BenchMmoe.Numeric));
            var outputs = network.Predict(tensor(ids, [features.Length, BenchMmoe.Categorical]), tensor(numbers, [features.Length, BenchMmoe.Numeric]));
            return outputs.data<float>().ToArray();
        }
    }

    /// <summary>Batch building from typed samples (SampleTable.Encode with the generated encoder, then per-batch row gathers) vs the trainer's consumption.</summary>
    public static void Batch(BenchContext context)
    {
        var count = Math.Max(context.Samples, 100_000);
        var data = BenchMmoe.Synthetic(count, seed: 3);
        using var trainer = new BenchMmoe.Trainer(new TrainingOptions { Epochs = 1, BatchSize = BatchSize, Seed = 42 });
        var encode = SampleTableEncoder(trainer);
        var encodeRates = new List<double>();
        var gatherRates = new List<double>();
        var consumeRates = new List<double>();
        var shortRun = data.Take(BatchSize * 16).ToList();
        for (var round = 0; round < context.Rounds; round++)
        {
            var begin = Stopwatch.GetTimestamp();
            var table = encode(data);
            encodeRates.Add(count / Stats.Seconds(begin));
            gatherRates.Add(GatherRate(table, count));
            if (context.TrainRate is null)
            {
                var clock = new StepClock();
                trainer.Fit(shortRun, progress: clock);
                consumeRates.Add(clock.SamplesPerSecond(BatchSize));
            }
        }
        var consume = context.TrainRate ?? Stats.Median(consumeRates);
        var source = context.TrainRate is null ? $"{consumeRates.Count} short Fit runs interleaved here" : "the train section above";
        var building = 1 / (1 / Stats.Median(encodeRates) + 1 / Stats.Median(gatherRates));
        Console.WriteLine($"SampleTable.Encode (generated Features.Encode + labels) of {count:N0} typed samples: median {Stats.Median(encodeRates):N0} samples/s (rounds: {string.Join(", ", encodeRates.Select(r => r.ToString("N0")))})");
        Console.WriteLine($"Per-batch row gather into pre-allocated tensor memory (shuffled, as BatchTensors.Fill): median {Stats.Median(gatherRates):N0} samples/s");
        Console.WriteLine($"Batch building end to end (encode once + gather): {building:N0} samples/s vs trainer consumption {consume:N0} samples/s ({source}): {building / consume:F0}× (goal ≥ 10×)");
    }

    /// <summary>The runtime's own SampleTable.Encode with the generated trainer's (protected) Encode.</summary>
    private static Func<List<BenchMmoe>, SampleTable> SampleTableEncoder(BenchMmoe.Trainer trainer)
    {
        var generated = typeof(BenchMmoe.Trainer).GetMethod("Encode", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var encoder = (SampleEncoder<BenchMmoe>)Delegate.CreateDelegate(typeof(SampleEncoder<BenchMmoe>), trainer, generated);
        return samples => SampleTable.Encode(samples, BenchMmoe.Schema, encoder, "training sample", nameof(samples));
    }

    /// <summary>The trainer's own per-batch gather (BatchTensors.Fill) of shuffled rows into pre-allocated tensors.</summary>
    private static double GatherRate(SampleTable table, int rows)
    {
        using var batch = new BatchTensors(BatchSize, BenchMmoe.Schema, CPU);
        var order = Enumerable.Range(0, rows).ToArray();
        new Random(1).Shuffle(order);
        var begin = Stopwatch.GetTimestamp();
        for (var start = 0; start + BatchSize <= rows; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            batch.Fill(table, order.AsSpan(start, BatchSize));
        }
        return rows / BatchSize * BatchSize / Stats.Seconds(begin);
    }
}
