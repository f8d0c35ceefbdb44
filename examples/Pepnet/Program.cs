// PEPNet (Chang et al., KDD 2023) on a multi-domain synthetic set whose domains' optima differ: the same
// Shared-Bottom model without PEPNet, with EPNet (domain prior) or PPNet (user and item priors) alone, and
// with both. Prints each model's test AUC per domain and task (mean over seeds) and PEPNet's paired gain over
// the plain model in every seed. See docs/pepnet-synthetic.md for the results.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using ModelDsl.Metrics;
using ModelDsl.Training;
using PepnetSynthetic;

var seeds = Argument("--seeds", 3);
var trainCount = Argument("--train", 40_000);
var epochs = Argument("--epochs", 6);
var clock = Stopwatch.StartNew();
string[] models = ["plain", "epnet", "ppnet", "pepnet"];
string[] tasks = ["Click", "Like"];
// results[model][seed][domain (3 = all)][task]
var results = models.ToDictionary(m => m, _ => new List<double[][]>());
var oracle = new List<double[][]>();
for (var seed = 1; seed <= seeds; seed++)
{
    var world = new MultiDomain(seed);
    var train = world.Impressions(trainCount, seed * 10 + 1);
    var test = world.Impressions(20_000, seed * 10 + 2);
    var slices = Enumerable.Range(0, MultiDomain.Domains).Select(d => test.Where(r => r.Domain == d).ToList()).Append(test).ToList();
    oracle.Add(slices.Select(s => new[]
    {
        BinaryMetrics.ComputeAuc(s.Select(r => (float)r.ClickProbability).ToArray(), s.Select(r => r.Click).ToArray()),
        BinaryMetrics.ComputeAuc(s.Select(r => (float)r.LikeProbability).ToArray(), s.Select(r => r.Like).ToArray()),
    }).ToArray());
    var options = new TrainingOptions { Epochs = epochs, BatchSize = 256, LearningRate = 1e-2, Seed = seed, Threads = 1 };
    results["plain"].Add(Run(new PlainRanker.Trainer(options), train, slices, r => new PlainRanker { Domain = r.Domain, UserId = r.User, ItemId = r.Item, Click = r.Click, Like = r.Like }));
    results["epnet"].Add(Run(new EpnetRanker.Trainer(options), train, slices, r => new EpnetRanker { Domain = r.Domain, UserId = r.User, ItemId = r.Item, Click = r.Click, Like = r.Like }));
    results["ppnet"].Add(Run(new PpnetRanker.Trainer(options), train, slices, r => new PpnetRanker { Domain = r.Domain, UserId = r.User, ItemId = r.Item, Click = r.Click, Like = r.Like }));
    results["pepnet"].Add(Run(new PepnetRanker.Trainer(options), train, slices, r => new PepnetRanker { Domain = r.Domain, UserId = r.User, ItemId = r.Item, Click = r.Click, Like = r.Like }));
    Console.WriteLine(Invariant($"seed {seed} done at {clock.Elapsed.TotalSeconds:F0} s"));
}

Console.WriteLine(Invariant($"\n{trainCount:N0} training and 20,000 test impressions per seed, {epochs} epochs, seeds 1–{seeds}; test AUC, mean over seeds\n"));
Console.WriteLine("| model | " + string.Join(" | ", Slices().SelectMany(s => tasks.Select(t => $"{t} {s}"))) + " |");
Console.WriteLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", 8)));
Console.WriteLine("| true probabilities | " + Row(oracle) + " |");
foreach (var model in models)
    Console.WriteLine($"| {model} | {Row(results[model])} |");
Console.WriteLine("\nPaired gain over plain, in AUC points (×100): mean [min, max] over seeds\n");
Console.WriteLine("| model | " + string.Join(" | ", Slices().SelectMany(s => tasks.Select(t => $"{t} {s}"))) + " |");
Console.WriteLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", 8)));
foreach (var model in models.Skip(1))
    Console.WriteLine($"| {model} | " + string.Join(" | ", Enumerable.Range(0, 4).SelectMany(d => Enumerable.Range(0, 2).Select(t =>
    {
        var gains = Enumerable.Range(0, seeds).Select(s => 100 * (results[model][s][d][t] - results["plain"][s][d][t])).ToList();
        return Invariant($"{gains.Average():+0.00;-0.00;0.00} [{gains.Min():+0.00;-0.00;0.00}, {gains.Max():+0.00;-0.00;0.00}]");
    }))) + " |");
Console.WriteLine(Invariant($"\n{clock.Elapsed.TotalSeconds:F0} s"));
return 0;

static IEnumerable<string> Slices() => Enumerable.Range(0, MultiDomain.Domains).Select(d => $"d{d}").Append("all");

static string Row(List<double[][]> runs) => string.Join(" | ", Enumerable.Range(0, 4).SelectMany(d => Enumerable.Range(0, 2)
    .Select(t => runs.Average(r => r[d][t]).ToString("0.0000", CultureInfo.InvariantCulture))));

// Trains on every training impression, then evaluates each domain's test impressions and all of them.
static double[][] Run<TModel>(ModelTrainer<TModel> trainer, List<Impression> train, List<List<Impression>> slices, Func<Impression, TModel> sample)
{
    using (trainer)
    {
        trainer.Fit(train.Select(sample));
        return slices.Select(s => trainer.Evaluate(s.Select(sample)).Select(m => m.Auc!.Value).ToArray()).ToArray();
    }
}

int Argument(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
