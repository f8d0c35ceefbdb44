using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using ModelDsl.Training;
using static TorchSharp.torch;

namespace ModelDsl.Benchmarks;

/// <summary>One categorical feature whose table outgrows protobuf's 2 GB (issue 20): 40 M rows × 16 by default.</summary>
[MultiTaskModel]
[SharedBottom(8)]
public partial class BigTableModel
{
    [Categorical(Vocabulary = 40_000_000, Dim = 16)] public long ItemId { get; init; }
    [BinaryTask] public bool Click { get; init; }
}

/// <summary>
/// Export, serving and weights round trip of <see cref="BigTableModel"/>, one step per process so that each peak
/// resident memory (/usr/bin/time -v) is that step's; see docs/benchmarks.md. The weights are set, not trained.
/// </summary>
internal static class BigTableBench
{
    private static readonly long TableBytes = 40_000_000L * 16 * sizeof(float);

    public static int Run(string step, string folder)
    {
        Directory.CreateDirectory(folder);
        var (onnx, weights) = (Path.Combine(folder, "big.onnx"), Path.Combine(folder, "big.weights"));
        var clock = Stopwatch.StartNew();
        switch (step)
        {
            case "export":
            {
                using var trainer = Create();
                Report("set weights", clock);
                trainer.ExportOnnx(onnx);
                Report("ExportOnnx", clock);
                break;
            }
            case "save":
            {
                using var trainer = Create();
                Report("set weights", clock);
                trainer.Save(weights);
                Report("Save", clock);
                break;
            }
            case "load":
            {
                using var trainer = new BigTableModel.Trainer();
                Report("new network", clock);
                trainer.Load(weights);
                Report("Load", clock);
                Check(trainer.Network.named_parameters().Single(p => p.name.EndsWith("table.weight", StringComparison.Ordinal)).parameter);
                break;
            }
            case "serve":
            {
                using var predictor = new BigTableModel.Predictor(onnx);
                Report("new Predictor", clock);
                var first = predictor.Predict(new BigTableModel.Features(ItemId: 0)).Click;
                var last = predictor.Predict(new BigTableModel.Features(ItemId: 39_999_999)).Click;
                var batch = new BigTableModel.Prediction[3];
                predictor.Predict([new(0), new(20_000_000), new(39_999_999)], batch);
                Report($"scored: first {first:R}, last {last:R}, batch equal {batch[0].Click == first && batch[2].Click == last}", clock);
                break;
            }
            default:
                Console.Error.WriteLine($"Unknown bigtable step '{step}'; steps: export, save, load, serve.");
                return 2;
        }
        Console.WriteLine($"files: {string.Join(", ", Directory.GetFiles(folder).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length:N0} B"))}; table {TableBytes:N0} B");
        return 0;
    }

    /// <summary>A network whose table row i holds i·1e-8 + column·1e-3: checkable after a round trip, no training.</summary>
    private static BigTableModel.Trainer Create()
    {
        var trainer = new BigTableModel.Trainer();
        var table = trainer.Network.named_parameters().Single(p => p.name.EndsWith("table.weight", StringComparison.Ordinal)).parameter;
        using (no_grad())
        {
            using var rows = arange(table.shape[0], dtype: ScalarType.Float32).mul_(1e-8).unsqueeze(1);
            using var columns = arange(table.shape[1], dtype: ScalarType.Float32).mul_(1e-3);
            for (long start = 0; start < table.shape[0]; start += 1_000_000)
            {
                var length = Math.Min(1_000_000, table.shape[0] - start);
                using var slice = table.narrow(0, start, length);
                using var part = rows.narrow(0, start, length);
                slice.copy_(part).add_(columns);
            }
        }
        return trainer;
    }

    private static void Check(Tensor table)
    {
        var last = table.shape[0] - 1;
        var value = table[last, 15].item<float>();
        var expected = last * 1e-8f + 15 * 1e-3f;
        Console.WriteLine($"table[{last}, 15] = {value:R} (set {expected:R}): {(Math.Abs(value - expected) < 1e-6 ? "round trip holds" : "MISMATCH")}");
    }

    private static void Report(string what, Stopwatch clock)
    {
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"{what}: {clock.Elapsed.TotalSeconds:F1} s, peak resident so far {process.PeakWorkingSet64 / 1e9:F2} GB ({(double)process.PeakWorkingSet64 / TableBytes:F2}× the table)");
    }
}
