// The MMoE paper's synthetic experiment (Ma et al., KDD 2018, §3.2 and §5.1): Shared-Bottom, OMoE and
// MMoE on two regression tasks whose weight vectors have cosine p. Prints each model's final test MSE
// (mean of the two tasks) as mean ± std over seeds, the measured label correlation, and in how many
// seeds each ordering holds. See docs/mmoe-synthetic.md for the results and what drives them.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using MmoeSynthetic;
using ModelDsl.Training;

var settings = Settings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine("""
        usage: dotnet run --project examples/Mmoe -c Release -- [options]
          --seeds N        task draws (u₁, u₂, α, β, data, initialization) per p     default 5
          --first-seed N   first seed                                               default 1
          --train N        training samples                                         default 50000
          --test N         test samples                                             default 2000
          --epochs N       passes over the training data                            default 8
          --batch N        samples per Adam step                                    default 128
          --lr X           Adam learning rate                                       default 0.001
          --c X            norm of w_k (the paper's c)                              default 1
          --m N            number of sine terms                                     default 10
          --p LIST         cosines of w₁ and w₂, comma-separated                    default 1,0.9,0.5
          --models LIST    of sb, omoe, mmoe, mmoe-home (HoME's expert normalization)  default sb,omoe,mmoe
          --curve          also print the mean test-loss curve per model and p
          --csv FILE       write every run's per-epoch train and test MSE to FILE
        """);
    return 2;
}

var clock = Stopwatch.StartNew();
var options = new TrainingOptions { Epochs = settings.Epochs, BatchSize = settings.Batch, LearningRate = settings.LearningRate, Threads = 1 };
var steps = settings.Epochs * ((settings.Train + settings.Batch - 1) / settings.Batch);
Console.WriteLine(Invariant($"d = 100, c = {settings.C}, m = {settings.M}, α, β ~ N(0, 1), ε ~ N(0, 0.1²); {settings.Train:N0} training and {settings.Test:N0} test samples"));
Console.WriteLine(Invariant($"Adam lr {settings.LearningRate}, batch {settings.Batch}, {settings.Epochs} epochs = {steps:N0} steps; seeds {settings.FirstSeed}…{settings.FirstSeed + settings.Seeds - 1}"));

// results[p][architecture][seed]
var results = settings.P.ToDictionary(p => p, _ => settings.Models.ToDictionary(a => a, _ => new List<RunResult>()));
var correlations = settings.P.ToDictionary(p => p, _ => new List<(double Before, double After)>());
var variances = settings.P.ToDictionary(p => p, _ => new List<double>());
// Written run by run, so a long sweep that dies keeps what it finished.
using var csv = settings.Csv is null ? null : new StreamWriter(settings.Csv) { AutoFlush = true };
csv?.WriteLine("p,seed,model,epoch,train_mse,test_mse");
foreach (var p in settings.P)
{
    for (var seed = settings.FirstSeed; seed < settings.FirstSeed + settings.Seeds; seed++)
    {
        var tasks = new SyntheticTasks(p, seed, scale: settings.C, sines: settings.M);
        var train = tasks.Rows(settings.Train, seed);
        var test = tasks.Rows(settings.Test, seed + 1_000_000);
        correlations[p].Add(SyntheticTasks.LabelCorrelation(train));
        var (v1, v2) = SyntheticTasks.LabelVariance(test);
        variances[p].Add((v1 + v2) / 2);
        var line = Invariant($"p = {p:F2} seed {seed,3}:");
        foreach (var architecture in settings.Models)
        {
            var result = Experiment.Run(architecture, train, test, options with { Seed = seed });
            results[p][architecture].Add(result);
            for (var e = 0; e < result.Curve.Length; e++)
                csv?.WriteLine(Invariant($"{p},{seed},{Name(architecture)},{e + 1},{result.TrainCurve[e]:G6},{result.Curve[e]:G6}"));
            line += Invariant($"  {Name(architecture)} {result.MeanMse:F4}");
        }
        Console.WriteLine(Invariant($"{line}  (label variance {variances[p][^1]:F3}, {clock.Elapsed.TotalSeconds:F0} s)"));
    }
}

Console.WriteLine();
Console.WriteLine("Parameters: " + string.Join(", ", settings.Models.Select(a => Invariant($"{Name(a)} {results[settings.P[0]][a][0].Parameters:N0}"))));
Console.WriteLine();
Console.WriteLine(Invariant($"Final test MSE, mean of the two tasks, mean ± std over {settings.Seeds} seeds:"));
Console.WriteLine("   p | label corr. before / after noise | label var. | " + string.Join(" | ", settings.Models.Select(a => $"{Name(a),-15}")));
foreach (var p in settings.P)
{
    var before = Stats(correlations[p].Select(c => c.Before));
    var after = Stats(correlations[p].Select(c => c.After));
    Console.WriteLine(Invariant($"{p,4:F2} | {before.Mean,6:F3} ± {before.Std:F3} / {after.Mean:F3} ± {after.Std:F3}   | {variances[p].Average(),10:F3} | ") +
        string.Join(" | ", settings.Models.Select(a => Stats(results[p][a].Select(r => r.MeanMse))).Select(s => Invariant($"{s.Mean:F4} ± {s.Std:F4}"))));
}

Console.WriteLine();
Console.WriteLine("Orderings, paired by seed (same task, data and initialization seed): loss(A) − loss(B)");
foreach (var p in settings.P)
    foreach (var (a, b) in Pairs(settings.Models))
    {
        var differences = results[p][a].Zip(results[p][b], (x, y) => x.MeanMse - y.MeanMse).ToArray();
        var s = Stats(differences);
        Console.WriteLine(Invariant($"p = {p:F2}: {Name(a)} − {Name(b)} = {s.Mean:+0.0000;-0.0000} ± {s.Std:F4}, range [{differences.Min():+0.0000;-0.0000}, {differences.Max():+0.0000;-0.0000}], {Name(a)} lower in {differences.Count(d => d < 0)}/{differences.Length}"));
    }

var gated = settings.Models.Where(a => results[settings.P[0]][a][^1].Gates.Count > 0).ToArray();
if (gated.Length > 0)
{
    Console.WriteLine();
    Console.WriteLine("Gates after the last epoch (last seed), mean weight per expert on the test set; entropy in nats, ln 8 = 2.079 is uniform:");
    foreach (var p in settings.P)
        foreach (var a in gated)
        {
            var gates = results[p][a][^1].Gates;
            foreach (var gate in gates)
                Console.WriteLine(Invariant($"p = {p:F2} {Name(a),-5} {gate.Gate,-6} | entropy {gate.Entropy:F3} | ") +
                    string.Join(" ", gate.MeanWeights.Select(w => Invariant($"{w,5:P0}"))));
            foreach (var warning in GateStatistics.Warnings(gates))
                Console.WriteLine(Invariant($"p = {p:F2} {Name(a),-5} warning: {warning}"));
            Console.WriteLine(Invariant($"p = {p:F2} {Name(a),-5} plot: ") +
                GatePlot.Save(gates, Invariant($"{Name(a)} gates, p = {p:F2}"), Path.Combine("gates", Invariant($"{Name(a)}-p{p:F2}.png"))));
        }
}

if (settings.Curve)
{
    Console.WriteLine();
    var epochs = Enumerable.Range(0, 30).Select(i => (int)Math.Round(Math.Pow(2, i / 2.0))).Where(e => e < settings.Epochs).Distinct().Append(settings.Epochs).ToArray();
    Console.WriteLine("Mean test MSE by epoch: " + string.Join(" ", epochs.Select(e => $"{e,7}")));
    foreach (var p in settings.P)
        foreach (var a in settings.Models)
            Console.WriteLine(Invariant($"p = {p:F2} {Name(a),-13}    ") + string.Join(" ", epochs.Select(e => Invariant($"{results[p][a].Average(r => r.Curve[e - 1]),7:F4}"))));
}
Console.WriteLine(Invariant($"Done in {clock.Elapsed.TotalSeconds:F0} s."));
return 0;

static string Name(Architecture a) => a switch
{
    Architecture.SharedBottom => "Shared-Bottom",
    Architecture.Omoe => "OMoE",
    Architecture.MmoeNormalized => "MMoE+HoME",
    _ => "MMoE",
};

static (double Mean, double Std) Stats(IEnumerable<double> values)
{
    var v = values.ToArray();
    var mean = v.Average();
    return (mean, v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0);
}

static IEnumerable<(Architecture, Architecture)> Pairs(Architecture[] models) =>
    from a in models from b in models where a > b select (a, b);

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

/// <summary>The command line.</summary>
internal sealed record Settings(int Seeds, int FirstSeed, int Train, int Test, int Epochs, int Batch, double LearningRate,
    double C, int M, double[] P, Architecture[] Models, bool Curve, string? Csv)
{
    public static Settings? Parse(string[] args)
    {
        var s = new Settings(5, 1, 50_000, 2_000, 8, 128, 1e-3, 1, 10, [1.0, 0.9, 0.5],
            [Architecture.SharedBottom, Architecture.Omoe, Architecture.Mmoe], false, null);
        if (args.Contains("--help"))
            return null;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => args[++i];
                s = args[i] switch
                {
                    "--seeds" => s with { Seeds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--first-seed" => s with { FirstSeed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--train" => s with { Train = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--test" => s with { Test = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--epochs" => s with { Epochs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--batch" => s with { Batch = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--lr" => s with { LearningRate = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--c" => s with { C = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--m" => s with { M = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--p" => s with { P = Next().Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).Distinct().ToArray() },
                    "--models" => s with { Models = Next().Split(',').Select(Model).Distinct().Order().ToArray() },
                    "--curve" => s with { Curve = true },
                    "--csv" => s with { Csv = Next() },
                    _ => throw new FormatException(args[i]),
                };
            }
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentException)
        {
            Console.Error.WriteLine($"bad argument: {e.Message}");
            return null;
        }
        return s.Seeds > 0 && s.Train > 0 && s.Test > 1 && s.Epochs > 0 && s.Batch > 0 && s.P.Length > 0 && s.Models.Length > 0 ? s : null;
    }

    private static Architecture Model(string name) => name switch
    {
        "sb" => Architecture.SharedBottom,
        "omoe" => Architecture.Omoe,
        "mmoe" => Architecture.Mmoe,
        "mmoe-home" => Architecture.MmoeNormalized,
        _ => throw new FormatException($"unknown model {name}"),
    };
}
