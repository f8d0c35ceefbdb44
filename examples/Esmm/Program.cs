// ESMM on a simulator where the true conversion probability is known on every impression: the entire-space
// model against the usual CVR model trained on clicked impressions only, and ESCM²'s counterfactual
// regularizers (IPS and DR) against ESMM.
using System;
using System.Linq;
using Esmm;
using ModelDsl.Training;

var simulator = new Simulator(seed: 1);
var train = simulator.Impressions(400_000, seed: 2);
var test = simulator.Impressions(100_000, seed: 3);
Console.WriteLine($"{train.Count:N0} training impressions: click rate {train.Average(i => i.Clicked ? 1.0 : 0):P2}, " +
    $"conversion rate {train.Average(i => i.Converted ? 1.0 : 0):P2} ({train.Count(i => i.Converted):N0} conversions, " +
    $"{train.Count(i => i.Clicked):N0} clicks for {Simulator.Users:N0} users and {Simulator.Items:N0} items)");
Console.WriteLine($"Selection bias: true CVR averages {train.Where(i => i.Clicked).Average(i => i.TrueCvr):P2} on clicked impressions " +
    $"but {train.Average(i => i.TrueCvr):P2} on all of them.");

// Seed 7 unless given: `dotnet run --project examples/Esmm -c Release -- 8`.
var seed = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 7;
var options = new TrainingOptions { Epochs = 3, BatchSize = 512, LearningRate = 2e-3, Seed = seed, Threads = 1 };
var (esmm, baseline) = Comparison.Run(train, test, options);
var (ips, ipsLowFloor, dr) = Comparison.RunCounterfactual(train, test, options);
Console.WriteLine();
Console.WriteLine($"seed {seed}                  | CVR AUC, all | CVR |error|, all | CVR ECE, all | mean pCVR / true | CVR AUC, clicked | CTCVR AUC, all");
foreach (var (name, s) in new[] { ("ESMM", esmm), ("ESCM²-IPS", ips), ("ESCM²-IPS, floor 0.02", ipsLowFloor), ("ESCM²-DR", dr), ("CVR on clicks (BASE)", baseline) })
    Console.WriteLine($"{name,-24} | {s.CvrAucAll,12:F4} | {s.CvrErrorAll,16:F4} | {s.CvrEceAll,12:F4} | {s.CvrBiasAll,16:F2} | {s.CvrAucClicked,16:F4} | {s.CtcvrAucAll,14:F4}");
