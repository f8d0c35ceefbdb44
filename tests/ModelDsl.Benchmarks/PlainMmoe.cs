using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Benchmarks;

/// <summary>
/// The reference MMoE written by hand in the plain TorchSharp style: one <c>nn.Embedding</c> per feature,
/// one <c>Sequential</c> per expert, a gate <c>Linear</c> + softmax and a tower per task, a loop over tasks.
/// </summary>
internal sealed class PlainMmoe : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<Embedding> embeddings = new();
    private readonly ModuleList<Sequential> experts = new();
    private readonly ModuleList<Linear> gates = new();
    private readonly ModuleList<Sequential> towers = new();

    public PlainMmoe() : base(nameof(PlainMmoe))
    {
        for (var f = 0; f < BenchMmoe.Categorical; f++)
            embeddings.Add(nn.Embedding(BenchMmoe.Vocabulary, BenchMmoe.Dim));
        for (var e = 0; e < BenchMmoe.Experts; e++)
            experts.Add(nn.Sequential(
                nn.Linear(BenchMmoe.InputWidth, BenchMmoe.Expert1), nn.ReLU(),
                nn.Linear(BenchMmoe.Expert1, BenchMmoe.Expert2), nn.ReLU()));
        for (var t = 0; t < BenchMmoe.Tasks; t++)
        {
            gates.Add(nn.Linear(BenchMmoe.InputWidth, BenchMmoe.Experts));
            towers.Add(nn.Sequential(nn.Linear(BenchMmoe.Expert2, BenchMmoe.Tower), nn.ReLU(), nn.Linear(BenchMmoe.Tower, 1)));
        }
        RegisterComponents();
    }

    /// <summary>Logits [batch, tasks].</summary>
    public override Tensor forward(Tensor categorical, Tensor numeric)
    {
        var parts = new List<Tensor>();
        for (var f = 0; f < embeddings.Count; f++)
            parts.Add(embeddings[f].forward(categorical[.., f]));
        parts.Add(numeric);
        var input = cat(parts, 1);
        var expertOutputs = stack(experts.Select(e => e.forward(input)), 1); // [batch, experts, units]
        var logits = new List<Tensor>();
        for (var t = 0; t < gates.Count; t++)
        {
            var gate = nn.functional.softmax(gates[t].forward(input), 1).unsqueeze(1); // [batch, 1, experts]
            var mixed = bmm(gate, expertOutputs).squeeze(1);
            logits.Add(towers[t].forward(mixed));
        }
        return cat(logits, 1);
    }

    /// <summary>One epoch over the samples in order, batch by batch, as a person would write it; returns the wall and thread CPU seconds of each step.</summary>
    public static List<(double Wall, double Cpu)> TrainEpoch(PlainMmoe model, optim.Optimizer optimizer, IReadOnlyList<BenchMmoe> samples, int batchSize)
    {
        var seconds = new List<(double, double)>();
        model.train();
        for (var start = 0; start < samples.Count; start += batchSize)
        {
            var begin = System.Diagnostics.Stopwatch.GetTimestamp();
            var cpu = Stats.ThreadCpuSeconds();
            using var scope = NewDisposeScope();
            var batch = samples.Skip(start).Take(batchSize).ToArray();
            var ids = new long[batch.Length * BenchMmoe.Categorical];
            var numbers = new float[batch.Length * BenchMmoe.Numeric];
            var labels = new float[batch.Length * BenchMmoe.Tasks];
            for (var i = 0; i < batch.Length; i++)
            {
                var s = batch[i];
                long[] row = [s.C0, s.C1, s.C2, s.C3, s.C4, s.C5, s.C6, s.C7];
                float[] values = [s.N0, s.N1, s.N2, s.N3, s.N4, s.N5, s.N6, s.N7];
                row.CopyTo(ids, i * BenchMmoe.Categorical);
                values.CopyTo(numbers, i * BenchMmoe.Numeric);
                labels[i * 2] = s.Click ? 1 : 0;
                labels[i * 2 + 1] = s.Like ? 1 : 0;
            }
            var categorical = tensor(ids, [batch.Length, BenchMmoe.Categorical]);
            var numeric = tensor(numbers, [batch.Length, BenchMmoe.Numeric]);
            var target = tensor(labels, [batch.Length, BenchMmoe.Tasks]);
            var logits = model.forward(categorical, numeric);
            Tensor? loss = null;
            for (var t = 0; t < BenchMmoe.Tasks; t++)
            {
                var taskLoss = nn.functional.binary_cross_entropy_with_logits(logits[.., t], target[.., t]);
                loss = loss is null ? taskLoss : loss + taskLoss;
            }
            optimizer.zero_grad();
            loss!.backward();
            optimizer.step();
            _ = loss.item<float>();
            seconds.Add((System.Diagnostics.Stopwatch.GetElapsedTime(begin).TotalSeconds, Stats.ThreadCpuSeconds() - cpu));
        }
        return seconds;
    }
}
