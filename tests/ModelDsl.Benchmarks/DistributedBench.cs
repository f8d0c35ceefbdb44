using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using ModelDsl.Distributed;
using ModelDsl.Training;

namespace ModelDsl.Benchmarks;

/// <summary>
/// Issue 20's measurement: the distributed PyTorch trainer (python/modeldsl) on the reference MMoE, one process
/// against two on this machine, and the bytes DDP all-reduces per step, against the sum of the parameters' sizes.
/// Each run is one epoch of <c>samples</c> rows; the trainer reports the epoch's training time (evaluation excluded).
/// </summary>
internal static class DistributedBench
{
    public static void Run(int samples, int rounds, string python)
    {
        var folder = Directory.CreateTempSubdirectory("modeldsl-distributed-bench-").FullName;
        try
        {
            var options = new TrainingOptions { Epochs = 1, BatchSize = 512, LearningRate = 1e-3 };
            using var trainer = new BenchMmoe.Trainer(options);
            var parameters = trainer.Network.parameters().Sum(p => p.numel());
            Shards.Write(trainer, BenchMmoe.Synthetic(samples, seed: 1), Path.Combine(folder, "train"));
            TrainingBundle.Write(Path.Combine(folder, "bundle"), trainer.Network, options);
            Console.WriteLine($"{samples:N0} samples, batch 512; {parameters:N0} parameters = {parameters * 4:N0} bytes of float32 gradient per step");
            (string Name, int Ranks, int Threads)[] runs = [("1 process × 1 thread", 1, 1), ("1 process × 2 threads", 1, 2), ("2 processes × 1 thread", 2, 1)];
            var rates = runs.ToDictionary(r => r.Name, _ => new List<double>());
            double? reduced = null;
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, ranks, threads) in runs)
                {
                    var epoch = Launch(python, folder, ranks, threads);
                    rates[name].Add(samples / epoch.GetProperty("seconds").GetDouble());
                    if (ranks > 1)
                        reduced = epoch.GetProperty("allreduce_bytes_per_step").GetDouble();
                }
            }
            foreach (var (name, _, _) in runs)
                Console.WriteLine($"{name,-24} {Stats.Median(rates[name]),10:N0} samples/s (median of {rounds}; {string.Join(", ", rates[name].Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))})");
            Console.WriteLine($"DDP all-reduced {reduced:N0} bytes per step (its gradient buckets), parameters {parameters * 4:N0} bytes");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One epoch under the launcher; its epoch report.</summary>
    private static JsonElement Launch(string python, string folder, int ranks, int threads)
    {
        var info = new ProcessStartInfo(python) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-m", "modeldsl.launch", "--nproc", $"{ranks}", "--threads", $"{threads}", "--bundle", "bundle", "--train", "train"])
            info.ArgumentList.Add(argument);
        info.Environment["PYTHONPATH"] = Path.Combine(folder, "bundle");
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"modeldsl.launch failed:\n{output}{error.Result}");
        var line = output.Split('\n').Single(l => l.StartsWith("modeldsl epoch ", StringComparison.Ordinal));
        return JsonDocument.Parse(line["modeldsl epoch ".Length..]).RootElement.Clone();
    }
}
