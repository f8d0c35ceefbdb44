using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using ModelDsl.Training;

namespace ModelDsl.Benchmarks;

/// <summary>
/// The generated trainer and Predictor against plain PyTorch (pytorch_mmoe.py, Debian's python3-torch) on the
/// reference MMoE: epochs alternate side by side in one run, per thread setting. PyTorch runs in one long-lived
/// process per setting, so its start-up is not timed; OpenBLAS is put first on its library path because
/// Debian's torch otherwise reaches whatever libblas.so.3 the alternatives system picks (the reference BLAS
/// is about 10× slower).
/// </summary>
internal static class PyTorchBaseline
{
    private const int BatchSize = 512;
    private const string OpenBlas = "/usr/lib/x86_64-linux-gnu/openblas-pthread";

    /// <param name="settings">Thread settings: a count, or "default" (no setting on either side).</param>
    public static void Run(BenchContext context, IReadOnlyList<string> settings, string python)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "pytorch_mmoe.py");
        if (!File.Exists(python) || Exec(python, "-c \"import torch\"") != 0)
        {
            Console.WriteLine($"skipped: '{python}' cannot import torch (apt-get install -y python3-torch libopenblas0, or --python PATH)");
            return;
        }
        Console.WriteLine($"load average {File.ReadAllText("/proc/loadavg").Trim()}; CPU {Cpu()}");
        var data = BenchMmoe.Synthetic(context.Samples, seed: 1);
        var features = BenchMmoe.Synthetic(Math.Max(context.Samples, 2_000), seed: 2).Select(s => s.ToFeatures()).ToArray();
        // "default" first: an explicit TrainingOptions.Threads sets LibTorch's process-wide count.
        foreach (var setting in settings.OrderBy(s => s == "default" ? 0 : 1))
        {
            var threads = setting == "default" ? (int?)null : int.Parse(setting, CultureInfo.InvariantCulture);
            using var torch = new PythonSide(python, script, threads, context.Samples);
            Console.WriteLine();
            Console.WriteLine($"-- threads {setting}: {torch.Banner}");
            Train(context, data, threads, torch, setting);
            Score(context, data, features, threads, torch, setting);
        }
    }

    private static void Train(BenchContext context, List<BenchMmoe> data, int? threads, PythonSide torch, string setting)
    {
        using var trainer = new BenchMmoe.Trainer(new TrainingOptions { Epochs = 1, BatchSize = BatchSize, LearningRate = 1e-3, Seed = 42, Threads = threads });
        var generated = new List<double>();
        var dense = new List<double>();
        var sparse = new List<double>();
        // Untimed epochs first: a fresh process runs much of .NET's code unoptimized for seconds (tiered JIT), which would
        // otherwise count against the generated side.
        Sections.Warm(trainer, data);
        torch.Ask($"train dense {setting}");
        torch.Ask($"train sparse {setting}");
        var rounds = Math.Max(2 * context.Rounds, 4);
        for (var round = 0; round < rounds; round++)
        {
            // Rotate who goes first, so a drift in the machine's speed hits every side alike.
            for (var turn = 0; turn < 3; turn++)
            {
                switch ((turn + round) % 3)
                {
                    case 0:
                        generated.AddRange(Sections.Epoch(trainer, data));
                        break;
                    case 1:
                        dense.AddRange(torch.Ask($"train dense {setting}").Skip(Sections.WarmSteps));
                        break;
                    default:
                        sparse.AddRange(torch.Ask($"train sparse {setting}").Skip(Sections.WarmSteps));
                        break;
                }
            }
        }
        static double Rate(List<double> steps) => BatchSize / Stats.Median(steps);
        var chosen = TrainingThreads.Choose(TrainingThreads.MultiplyAddsPerStep(trainer.Network, BatchSize), Environment.ProcessorCount);
        Console.WriteLine($"Training, batch {BatchSize}, {context.Samples:N0} samples per epoch, {rounds} rounds of alternating epochs after untimed ones ({Sections.WarmSeconds} s of the generated trainer's, one of each PyTorch variant), median step (first {Sections.WarmSteps} of each epoch skipped); generated trainer at {threads?.ToString(CultureInfo.InvariantCulture) ?? $"its default ({chosen} here)"} thread(s):");
        Console.WriteLine($"  generated Trainer.Fit              {Rate(generated),8:N0} samples/s = {Rate(generated) * BenchMmoe.TrainFlops / 1e9:F1} useful GFLOP/s (its share of the matmul rate: the fit section)");
        Console.WriteLine($"  PyTorch, sparse + SparseAdam       {Rate(sparse),8:N0} samples/s; generated / this {Rate(generated) / Rate(sparse):F2}× (goal ≥ 2×)");
        Console.WriteLine($"  PyTorch, dense Adam                {Rate(dense),8:N0} samples/s; generated / this {Rate(generated) / Rate(dense):F2}×");
    }

    private static void Score(BenchContext context, List<BenchMmoe> data, BenchMmoe.Features[] features, int? threads, PythonSide torch, string setting)
    {
        using var trainer = new BenchMmoe.Trainer(new TrainingOptions { Epochs = 1, BatchSize = BatchSize, Seed = 42, Threads = threads });
        trainer.Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"modeldsl-bench-{Environment.ProcessId}.onnx");
        trainer.ExportOnnx(path);
        try
        {
            // "default" is the Predictor's own default (no options).
            using var options = threads is { } t ? new SessionOptions { IntraOpNumThreads = t } : null;
            using var predictor = new BenchMmoe.Predictor(path, options);
            foreach (var candidates in new[] { 1, 1000 })
            {
                var calls = candidates == 1 ? 400 : 8;
                var (onnx, eager, script) = (new List<double>(), new List<double>(), new List<double>());
                var predictions = new BenchMmoe.Prediction[candidates];
                var offset = 0;
                for (var block = -1; block < 4 * context.Rounds; block++) // block −1 warms every side up
                {
                    var times = new List<double>();
                    for (var call = 0; call < calls; call++)
                    {
                        offset = (offset + candidates) % (features.Length - candidates);
                        var begin = Stopwatch.GetTimestamp();
                        if (candidates == 1)
                            predictions[0] = predictor.Predict(features[offset]);
                        else
                            predictor.Predict(features.AsSpan(offset, candidates), predictions);
                        times.Add(Stats.Seconds(begin));
                    }
                    var e = torch.Ask($"score eager {setting} {candidates} {calls}");
                    var s = torch.Ask($"score script {setting} {candidates} {calls}");
                    if (block < 0)
                        continue;
                    onnx.AddRange(times);
                    eager.AddRange(e);
                    script.AddRange(s);
                }
                var (p, pe, ps) = (Stats.Median(onnx), Stats.Median(eager), Stats.Median(script));
                Console.WriteLine($"{candidates,5} candidate(s), p50: Predictor {Micro(p)} | PyTorch eager {Micro(pe)} ({pe / p:F1}×) | TorchScript {Micro(ps)} ({ps / p:F1}×)   [{onnx.Count} calls a side, blocks alternating]");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Micro(double seconds) => seconds < 1e-3 ? $"{seconds * 1e6:F1} µs" : $"{seconds * 1e3:F2} ms";

    private static string Cpu()
    {
        var info = File.ReadAllLines("/proc/cpuinfo");
        var model = info.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var flags = info.FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?.Split(':', 2)[1].Split(' ') ?? [];
        var isa = new[] { "avx512f", "avx2", "fma" }.Where(flags.Contains);
        return $"{model} ({string.Join(", ", isa)})";
    }

    private static int Exec(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>One pytorch_mmoe.py process: a command per line in, one line of timings out.</summary>
    private sealed class PythonSide : IDisposable
    {
        private readonly Process _process;

        public PythonSide(string python, string script, int? threads, int samples)
        {
            var start = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add(samples.ToString(CultureInfo.InvariantCulture));
            if (Directory.Exists(OpenBlas))
                start.Environment["LD_LIBRARY_PATH"] = OpenBlas;
            // OpenBLAS sizes its own pool from the environment, not from torch.set_num_threads.
            if (threads is { } t)
                start.Environment["OPENBLAS_NUM_THREADS"] = t.ToString(CultureInfo.InvariantCulture);
            _process = Process.Start(start)!;
            Banner = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"{script} exited before it was ready.");
        }

        public string Banner { get; }

        public List<double> Ask(string command)
        {
            _process.StandardInput.WriteLine(command);
            var line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"pytorch_mmoe.py exited on '{command}'.");
            return line.Split(' ').Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToList();
        }

        public void Dispose()
        {
            _process.StandardInput.WriteLine("quit");
            _process.WaitForExit();
            _process.Dispose();
        }
    }
}
