// Performance figures of issue 7; see docs/benchmarks.md. Sections run in the order given:
//   dotnet run -c Release --project tests/ModelDsl.Benchmarks -- [matmul] [train] [profile] [score] [batch] [generator] [--rounds R] [--samples N] [--threads T]
//   dotnet run -c Release --project tests/ModelDsl.Benchmarks -- stream [--rows N] [--file PATH]   (issue 5: a multi-million-row CSV)
//   dotnet run -c Release --project tests/ModelDsl.Benchmarks -- pytorch [--threads T] [--python PATH]   (issue 19: against plain PyTorch)
//   dotnet run -c Release --project tests/ModelDsl.Benchmarks -- bigtable export|save|load|serve --dir D   (issue 20: a 2.56 GB table)
//   dotnet run -c Release --project tests/ModelDsl.Benchmarks -- distributed [--samples N] [--rounds R] [--python PATH]   (issue 20: one rank against two)
// With no section, all but stream, pytorch, bigtable and distributed run. Competing variants are interleaved round by round in one process, so noise
// from a shared machine hits both sides alike.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl.Benchmarks;

// Sections are the arguments that are neither options nor an option's value.
var sections = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal))).ToList();
int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
var rounds = Option("--rounds", 3);
var python = Array.IndexOf(args, "--python") is var p and >= 0 && p + 1 < args.Length ? args[p + 1] : "/usr/bin/python3";
var samples = Option("--samples", 512 * 16);
// LibTorch's threads, for both trainers and the eager side (default: one per core). On a loaded machine,
// --threads 1 avoids OpenMP barrier stalls that otherwise dominate the figures.
if (Option("--threads", 0) is > 0 and var threads)
    TorchSharp.torch.set_num_threads(threads);
string[] all = ["matmul", "train", "profile", "score", "batch", "generator", "pytorch", "fit"];
if (sections.Count == 0)
    sections = all.SkipLast(2).ToList();
if (sections.SequenceEqual(["stream"]))
{
    var file = Array.IndexOf(args, "--file") is var f and >= 0 && f + 1 < args.Length ? args[f + 1] : null;
    StreamBench.Run(Option("--rows", 5_000_000), file);
    return 0;
}
if (sections.FirstOrDefault() == "bigtable")
{
    var dir = Array.IndexOf(args, "--dir") is var d and >= 0 && d + 1 < args.Length ? args[d + 1] : Path.Combine(Path.GetTempPath(), "modeldsl-bigtable");
    return BigTableBench.Run(sections.ElementAtOrDefault(1) ?? "", dir);
}
if (sections.SequenceEqual(["distributed"]))
{
    DistributedBench.Run(Option("--samples", 65_536), rounds, python);
    return 0;
}
foreach (var unknown in sections.Except(all))
{
    Console.Error.WriteLine($"Unknown section '{unknown}'; sections: {string.Join(", ", all)}; options: --rounds R, --samples N, --threads T, --python PATH.");
    return 2;
}

Console.WriteLine($"ModelDsl benchmarks {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} logical CPUs; .NET {Environment.Version}; torch threads {TorchSharp.torch.get_num_threads()}; sections {string.Join(" ", sections)}; rounds {rounds}; samples {samples}");
Console.WriteLine($"Reference MMoE: forward {BenchMmoe.ForwardFlops:N0} FLOP/sample (matmuls), training ≈ 3× = {BenchMmoe.TrainFlops:N0} FLOP/sample");
var context = new BenchContext(rounds, samples);
foreach (var section in sections)
{
    Console.WriteLine();
    Console.WriteLine($"== {section} ==");
    switch (section)
    {
        case "matmul": Sections.Matmul(context); break;
        case "train": Sections.Train(context); break;
        case "profile": Profile.Run(context); break;
        case "fit": Sections.Fit(context); break;
        case "score": Sections.Score(context); break;
        case "batch": Sections.Batch(context); break;
        case "generator": GeneratorBench.Run(context); break;
        case "pytorch": PyTorchBaseline.Run(context, Option("--threads", 0) is > 0 and var t ? [t.ToString(System.Globalization.CultureInfo.InvariantCulture)] : ["default", "1", "2"], python); break;
    }
}
return 0;

namespace ModelDsl.Benchmarks
{
    internal sealed record BenchContext(int Rounds, int Samples)
    {
        /// <summary>Median matmul rate measured so far in this process, GFLOP/s.</summary>
        public double? MatmulRate { get; set; }

        /// <summary>Median steady training rate of the generated trainer measured in this process, samples/s.</summary>
        public double? TrainRate { get; set; }

        public double EnsureMatmul()
        {
            if (MatmulRate is null)
                Sections.Matmul(this);
            return MatmulRate!.Value;
        }
    }
}
