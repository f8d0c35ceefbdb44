using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelDsl.Training;
using nietras.SeparatedValues;

namespace ModelDsl.Benchmarks;

/// <summary>A feed ranking spec with ids, a shared item history, a hashed string and transformed numbers: what a CSV export of logs looks like.</summary>
[MultiTaskModel]
[SharedBottom(64, 32)]
public partial class StreamModel
{
    [Categorical(Vocabulary = 100_000, Dim = 16), Column("user_id")] public long UserId { get; init; }
    [Categorical(Vocabulary = 100_000, Dim = 16, Group = "item"), Column("item_id")] public long ItemId { get; init; }
    [Categorical(Vocabulary = 100_000, Dim = 16, Group = "item", MaxLength = 10, Truncation = SequenceTruncation.KeepLast), Column("recent_items")]
    public long[] RecentItems { get; init; } = [];
    [Categorical(Vocabulary = 1_000, Dim = 8)] public int Category { get; init; }
    [Categorical(Vocabulary = 1_000, Dim = 8)] public string Country { get; init; } = "";
    [Numeric(Transform = NumericTransform.Log1p | NumericTransform.Standardize)] public float Views { get; init; }
    [Numeric(Transform = NumericTransform.Log1p | NumericTransform.Standardize)] public float Likes { get; init; }
    [Numeric(Transform = NumericTransform.Standardize)] public float Age { get; init; }
    [Numeric] public float Hour { get; init; }

    [BinaryTask(Tower = new[] { 16 }), Column("click")] public bool Click { get; init; }
    [RegressionTask(Tower = new[] { 16 }, LossWeight = 0.5), Column("watch_minutes")] public float WatchMinutes { get; init; }
}

/// <summary>
/// Issue 5's measurement: training streams a multi-million-row CSV with bounded memory, and the reader
/// (parse + encode, one thread) outruns the trainer. Peak resident memory is the kernel's VmHWM.
/// </summary>
internal static class StreamBench
{
    public static void Run(int rows, string? file)
    {
        var path = file ?? Path.Combine(Path.GetTempPath(), $"modeldsl-stream-{rows}.csv");
        var sw = Stopwatch.StartNew();
        if (!File.Exists(path))
            Write(path, rows);
        Console.WriteLine($"file {path}: {rows:N0} rows, {new FileInfo(path).Length / 1e6:N0} MB (written or found in {sw.Elapsed.TotalSeconds:N0} s)");
        Console.WriteLine($"resident at start: {Resident():N0} MB (peak {Peak():N0} MB)");

        // Reader rate: parse + encode into the trainer's row layout, on one thread, as the streaming producer does.
        var ids = new long[StreamModel.Schema.CategoricalCount];
        var numbers = new float[StreamModel.Schema.NumericCount];
        sw.Restart();
        long read = 0;
        foreach (var sample in StreamModel.ReadCsv(path))
        {
            sample.ToFeatures().Encode(ids, numbers);
            read++;
        }
        var readRate = read / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"read + encode: {read:N0} rows in {sw.Elapsed.TotalSeconds:N1} s = {readRate:N0} rows/s; peak resident {Peak():N0} MB");

        var validation = StreamModel.ReadCsv(path).Take(20_000).ToList();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 512, LearningRate = 2e-3, StreamChunkRows = 65_536 };

        // Trainer consumption rate from memory: the steps of one epoch over 200k in-memory rows.
        var head = StreamModel.ReadCsv(path).Take(200_000).ToList();
        using (var warm = new StreamModel.Trainer(options with { StreamChunkRows = null }))
        {
            var steps = new StepClock();
            warm.Fit(head, validation, steps);
            Console.WriteLine($"training from memory: {steps.Rows:N0} rows in {steps.Seconds:N1} s = {steps.Rows / steps.Seconds:N0} rows/s consumed; reader/trainer = {readRate / (steps.Rows / steps.Seconds):N1}×; peak resident {Peak():N0} MB");
        }
        head = null;
        GC.Collect();

        // Streaming: one epoch over the whole file (plus the Standardize statistics pass) in 64k-row chunks.
        using var trainer = new StreamModel.Trainer(options);
        var clock = new StepClock();
        sw.Restart();
        var report = trainer.Fit(StreamModel.ReadCsv(path), validation, clock);
        var total = sw.Elapsed.TotalSeconds;
        var metrics = report.Final;
        Console.WriteLine($"streamed training: {clock.Rows:N0} rows, steps {clock.Seconds:N1} s = {clock.Rows / clock.Seconds:N0} rows/s; whole Fit {total:N1} s (incl. statistics pass and validation)");
        Console.WriteLine($"  click AUC {metrics["Click"].Auc:F3}; watch RMSE {metrics["WatchMinutes"].Rmse:F3} vs mean baseline {metrics["WatchMinutes"].BaselineRmse:F3}");
        Console.WriteLine($"  resident after each million rows streamed: {string.Join(", ", clock.ResidentPerMillion.Select(r => $"{r:N0}"))} MB");
        Console.WriteLine($"peak resident over the whole run: {Peak():N0} MB; now {Resident():N0} MB");
        var inMemory = (long)rows * (StreamModel.Schema.CategoricalCount * 8 + StreamModel.Schema.NumericCount * 4 + StreamModel.Schema.Tasks.Count * 8);
        Console.WriteLine($"for scale: the encoded table alone would take {inMemory / 1e6:N0} MB in memory, the typed samples more");
    }

    private static void Write(string path, int rows)
    {
        var random = new Random(7);
        var countries = Enumerable.Range(0, 60).Select(i => $"c{i:D2}").ToArray();
        using var writer = Sep.New(',').Writer().ToFile(path + ".tmp");
        for (var i = 0; i < rows; i++)
        {
            var user = random.Next(100_000);
            var item = random.Next(100_000);
            var recent = Enumerable.Range(0, random.Next(13)).Select(_ => random.Next(100_000)).ToArray();
            var views = Math.Exp(random.NextDouble() * 8) - 1;
            // Learnable structure: some categories, some countries and many views raise the click rate.
            var affinity = (item % 1000 % 7 == 0 ? 1.5 : -0.5) + (user % 60 < 10 ? 0.8 : 0);
            var click = random.NextDouble() < 1 / (1 + Math.Exp(-(affinity + 0.1 * Math.Log(1 + views) - 1)));
            using var row = writer.NewRow();
            row["user_id"].Format(user);
            row["item_id"].Format(item);
            row["recent_items"].Set(string.Join('|', recent));
            row["Category"].Format(item % 1000);
            row["Country"].Set(countries[user % countries.Length]);
            row["Views"].Set(views.ToString("F1", CultureInfo.InvariantCulture));
            row["Likes"].Set((views * random.NextDouble() * 0.1).ToString("F1", CultureInfo.InvariantCulture));
            row["Age"].Format(18 + user % 50);
            row["Hour"].Format(random.Next(24));
            row["click"].Set(click ? "1" : "0");
            row["watch_minutes"].Set(click ? (random.NextDouble() * 10).ToString("F2", CultureInfo.InvariantCulture) : "0");
        }
        writer.Dispose();
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static double Resident() => Status("VmRSS:");
    private static double Peak() => Status("VmHWM:");

    /// <summary>A /proc/self/status field in MB (Linux).</summary>
    private static double Status(string field) =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => double.Parse(l[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024).FirstOrDefault();

    /// <summary>Times training steps only (first step to last), from the trainer's progress reports.</summary>
    private sealed class StepClock : IProgress<TrainingProgress>
    {
        private long _start;
        private long _last;
        private int _steps;

        public long Rows { get; private set; }
        public double Seconds => Stopwatch.GetElapsedTime(_start, _last).TotalSeconds;

        /// <summary>Resident memory (MB) after each million rows trained.</summary>
        public System.Collections.Generic.List<double> ResidentPerMillion { get; } = [];

        public void Report(TrainingProgress value)
        {
            if (value.Completed is not null)
                return;
            var now = Stopwatch.GetTimestamp();
            if (_steps++ == 0)
                _start = now;   // the first step's rows are not counted: its time is not measured
            else
                Rows += 512;
            _last = now;
            if ((long)(_steps + 1) * 512 / 1_000_000 > (long)_steps * 512 / 1_000_000)
                ResidentPerMillion.Add(Resident());
        }
    }
}
