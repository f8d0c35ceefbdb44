// PLE, CGC and MMoE on the MMoE paper's synthetic task pair (examples/Mmoe) with weakly related
// tasks, where one shared mixture tends to favour one task over the other (the "seesaw" PLE targets):
// prints each task's test MSE, mean over seeds, for each architecture.
using System;
using System.Collections.Generic;
using System.Linq;
using MmoeSynthetic;
using ModelDsl.Metrics;
using ModelDsl.Training;
using Ple;

const int Seeds = 3;
var options = new TrainingOptions { Epochs = 6, BatchSize = 128, LearningRate = 2e-3, Threads = 1 };
var results = new Dictionary<string, List<(double Y1, double Y2, long Parameters)>>();
foreach (var seed in Enumerable.Range(1, Seeds))
{
    var tasks = new SyntheticTasks(p: 0.3, seed: seed, dimension: 16);
    var train = tasks.Rows(20_000, seed: 100 + seed);
    var test = tasks.Rows(4_000, seed: 200 + seed);
    var seeded = options with { Seed = seed };
    Add("PLE (2 levels)", Run(new PleModel.Trainer(seeded), train, test, r => new PleModel { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }));
    Add("CGC (1 level)", Run(new CgcModel.Trainer(seeded), train, test, r => new CgcModel { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }));
    Add("MMoE", Run(new MmoeModel.Trainer(seeded), train, test, r => new MmoeModel { X = r.X, Y1 = r.Y1, Y2 = r.Y2 }));
    var (before, after) = SyntheticTasks.LabelCorrelation(test);
    Console.WriteLine($"seed {seed}: label correlation {before:F2} before noise, {after:F2} after");
}

Console.WriteLine();
Console.WriteLine($"test MSE, mean over {Seeds} seeds (cos(w1, w2) = 0.3, d = 16, 20,000 samples, {options.Epochs} epochs)");
Console.WriteLine("architecture      | parameters | task 1 MSE | task 2 MSE | mean");
foreach (var (name, runs) in results)
    Console.WriteLine($"{name,-17} | {runs[0].Parameters,10:N0} | {runs.Average(r => r.Y1),10:F4} | {runs.Average(r => r.Y2),10:F4} | {runs.Average(r => (r.Y1 + r.Y2) / 2):F4}");

void Add(string name, (double, double, long) run)
{
    if (!results.TryGetValue(name, out var runs))
        results[name] = runs = [];
    runs.Add(run);
}

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
