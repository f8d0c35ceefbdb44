// Micro-batching against unbatched calls (docs/benchmarks.md, "Serving: micro-batching"):
//   dotnet run -c Release --project tests/ModelDsl.Hosting.Bench -- [--callers 64] [--seconds 3] [--rounds 3] [--wait-us 200] [--model file.onnx]
// Callers run a closed loop of single-candidate requests. A request's latency runs from its issue, through its wait
// for a thread (as a server's request waits for one) and the call, to its answer. Variants alternate round by round
// in one process, so noise from a shared machine hits both alike.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ModelDsl.Hosting;
using ModelDsl.Training;
using Quickstart;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
var (callers, seconds, rounds, waitUs) = (Option("--callers", 64), Option("--seconds", 3), Option("--rounds", 3), Option("--wait-us", 200));
var modelIndex = Array.IndexOf(args, "--model");
var model = modelIndex >= 0 && modelIndex + 1 < args.Length ? args[modelIndex + 1] : null;
if (model is null)
{
    model = Path.Combine(Path.GetTempPath(), $"modeldsl-bench-{Environment.ProcessId}.onnx");
    using var trainer = new VideoRanker.Trainer(new TrainingOptions { Seed = 1 });
    trainer.ExportOnnx(model);
}

var cpu = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() : null;
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
Console.WriteLine($"ModelDsl.Hosting micro-batching {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {cpu ?? "unknown CPU"}; {Environment.ProcessorCount} logical CPUs; load average {load}");
Console.WriteLine($"{callers} callers, single-candidate VideoRanker requests, {rounds} rounds × {seconds} s per variant; micro-batching wait {waitUs} µs, batches up to 64");

var candidates = Enumerable.Range(0, 1024).Select(i => new VideoRanker.Features(i % 500, i % 300, i % 24, i % 60)).ToArray();
var variants = new[] { false, true }.Select(batched =>
{
    var options = new PredictorOptions<VideoRanker.Features> { Path = model, WatchFile = false };
    (options.MicroBatching.Enabled, options.MicroBatching.MaxWait) = (batched, TimeSpan.FromMicroseconds(waitUs));
    return (Name: batched ? "micro-batched" : "unbatched", Pool: new PredictorPool<VideoRanker.Features, VideoRanker.Prediction>(p => new VideoRanker.Predictor(p), options));
}).ToArray();
var results = variants.ToDictionary(v => v.Name, _ => (Rates: new List<double>(), Latencies: new List<double>(), Bytes: new List<double>()));

Measure(variants[0].Pool, 1); // warm-up: JIT, ONNX Runtime's buffers
Measure(variants[1].Pool, 1);
for (var round = 0; round < rounds; round++)
{
    foreach (var (name, pool) in variants)
    {
        var (rate, latencies, bytes) = Measure(pool, seconds);
        results[name].Rates.Add(rate);
        results[name].Latencies.AddRange(latencies);
        results[name].Bytes.Add(bytes);
        Console.WriteLine($"  round {round + 1} {name,-14} {rate,10:N0} requests/s");
    }
}
Console.WriteLine();
Console.WriteLine("| variant | requests/s (median of rounds) | p50 | p99 | allocated per request |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
foreach (var (name, (rates, latencies, bytes)) in results)
{
    latencies.Sort();
    Console.WriteLine($"| {name} | {Median(rates):N0} | {Percentile(latencies, 0.50):N0} µs | {Percentile(latencies, 0.99):N0} µs | {Median(bytes):N0} B |");
}
Console.WriteLine($"load average after: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}");
foreach (var (_, pool) in variants)
    pool.Dispose();
if (modelIndex < 0)
    File.Delete(model);
return 0;

(double Rate, List<double> Latencies, double BytesPerRequest) Measure(PredictorPool<VideoRanker.Features, VideoRanker.Prediction> pool, int duration)
{
    var perCaller = Enumerable.Range(0, callers).Select(_ => new List<double>(1 << 16)).ToArray();
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(duration));
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
    {
        var latencies = perCaller[c];
        for (var i = c; !stop.IsCancellationRequested; i += callers)
        {
            var start = Stopwatch.GetTimestamp();
            await Task.Yield(); // wait for a thread, as a server's request does
            await pool.PredictAsync(candidates[i % candidates.Length]);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    })).ToArray();
    Task.WaitAll(tasks);
    var elapsed = clock.Elapsed.TotalSeconds;
    var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
    var all = perCaller.SelectMany(l => l).ToList();
    return (all.Count / elapsed, all, (double)bytes / all.Count);
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
