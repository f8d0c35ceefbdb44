// PLE, CGC, MMoE and AdaTT on the MMoE paper's synthetic task pair (examples/Mmoe) with weakly related
// tasks, where one shared mixture tends to favour one task over the other (the "seesaw" PLE targets):
// prints each task's test MSE, mean over seeds, for each architecture, and AdaTT's paired difference to PLE.
// docs/adatt-home.md has the results.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MmoeSynthetic;
using ModelDsl.Metrics;
using ModelDsl.Training;
using Ple;

var seeds = 3;
double[] correlations = [0.3];
string[] models = ["ple", "cgc", "mmoe", "adatt", "adatt-sp"];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seeds" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0:
            seeds = n;
            i++;
            break;
        case "--p" when i + 1 < args.Length:
            correlations = args[++i].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            break;
        case "--models" when i + 1 < args.Length && args[i + 1].Split(',').All(models.Contains):
            models = args[++i].Split(',');
            break;
        default:
            Console.Error.WriteLine("usage: dotnet run --project examples/Ple -c Release -- [--seeds N (3)] [--p LIST (0.3)] [--models LIST of ple,cgc,mmoe,adatt,adatt-sp]");
            return 2;
    }
}

var options = new TrainingOptions { Epochs = 6, BatchSize = 128, LearningRate = 2e-3, Threads = 1 };
foreach (var p in correlations)
{
    var results = new Dictionary<string, List<(double Y1, double Y2, long Parameters)>>();
    foreach (var seed in Enumerable.Range(1, seeds))
    {
        var tasks = new SyntheticTasks(p, seed: seed, dimension: 16);
        var train = tasks.Rows(20_000, seed: 100 + seed);
        var test = tasks.Rows(4_000, seed: 200 + seed);
        var seeded = options with { Seed = seed };
        foreach (var model in models)
            Add(Name(model), model switch
            {
                "ple" => Run(new PleModel.Trainer(seeded), train, test, r => new PleModel { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }),
                "cgc" => Run(new CgcModel.Trainer(seeded), train, test, r => new CgcModel { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }),
                "mmoe" => Run(new MmoeModel.Trainer(seeded), train, test, r => new MmoeModel { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }),
                "adatt" => Run(new AdattModel.Trainer(seeded), train, test, r => new AdattModel { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }),
                _ => Run(new AdattSpModel.Trainer(seeded), train, test, r => new AdattSpModel { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }),
            });
        var (before, after) = SyntheticTasks.LabelCorrelation(test);
        Console.WriteLine(Invariant($"p = {p}, seed {seed}: label correlation {before:F2} before noise, {after:F2} after"));
    }

    Console.WriteLine();
    Console.WriteLine(Invariant($"test MSE, mean over {seeds} seeds (cos(w1, w2) = {p}, d = 16, 20,000 samples, {options.Epochs} epochs)"));
    Console.WriteLine("architecture      | parameters | task 1 MSE | task 2 MSE | mean");
    foreach (var (name, runs) in results)
        Console.WriteLine(Invariant($"{name,-17} | {runs[0].Parameters,10:N0} | {runs.Average(r => r.Y1),10:F4} | {runs.Average(r => r.Y2),10:F4} | {runs.Average(r => (r.Y1 + r.Y2) / 2):F4}"));
    if (results.TryGetValue(Name("ple"), out var ple))
        foreach (var adatt in models.Where(m => m.StartsWith("adatt", StringComparison.Ordinal)))
        {
            var differences = results[Name(adatt)].Zip(ple, (a, b) => (a.Y1 + a.Y2) / 2 - (b.Y1 + b.Y2) / 2).ToArray();
            Console.WriteLine(Invariant($"{Name(adatt)} − PLE, mean MSE per seed: {string.Join(", ", differences.Select(d => d.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture)))}; lower in {differences.Count(d => d < 0)}/{differences.Length}"));
        }
    Console.WriteLine();

    void Add(string name, (double, double, long) run)
    {
        if (!results.TryGetValue(name, out var runs))
            results[name] = runs = [];
        runs.Add(run);
    }
}
return 0;

static string Name(string model) => model switch
{
    "ple" => "PLE (2 levels)",
    "cgc" => "CGC (1 level)",
    "mmoe" => "MMoE",
    "adatt" => "AdaTT (2 levels)",
    _ => "AdaTT-sp (2 lv.)",
};

static (double Y1, double Y2, long Parameters) Run<TModel>(ModelTrainer<TModel> trainer, SyntheticRow[] train, SyntheticRow[] test, Func<SyntheticRow, TModel> sample)
{
    using (trainer)
    {
        trainer.Fit(train.Select(sample));
        var metrics = trainer.Evaluate(test.Select(sample));
        var parameters = trainer.Network.parameters().Sum(p => p.numel());
        return (Square(metrics[0]), Square(metrics[1]), parameters);
    }
}

static double Square(TaskMetrics metrics) => metrics.Rmse!.Value * metrics.Rmse.Value;

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
