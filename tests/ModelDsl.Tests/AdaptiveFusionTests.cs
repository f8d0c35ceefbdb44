using System.Linq;
using ModelDsl.Layers;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// AdaTT's fusion level against the paper's formula, fₖ = Σₑ softmax(Wₖxₖ)ₑ·Eₑ + Σ_{e ∈ k} vₑ·Eₑ, with learned residual
/// weights and with the identity residual; and its gates in the gate statistics, each over every expert of its level.
/// </summary>
public sealed class AdaptiveFusionTests
{
    [Fact]
    public void FirstLevelWithSharedExpertsFusesEveryExpertPlusEachUnitsOwnLinearCombination()
    {
        manual_seed(3);
        using var level = new ExtractionLevel("l", inputWidth: 3, tasks: 2, sharedCount: 1, taskCount: 2, expertUnits: [4], gateUnits: [],
            first: true, last: false, RegularizationSettings.None, adaptiveFusion: true);
        level.eval();
        using var x = randn(5, 3);

        var (tasks, shared) = level.forward([x, x], x);

        using var experts = cat([level.TaskExperts[0].forward(x).Activated(), level.TaskExperts[1].forward(x).Activated(), level.SharedExperts!.forward(x).Activated()], 1);
        using var weights = level.Gates.Weights(x);
        var native = level.state_dict()["native"];
        Assert.Equal([5], native.shape);   // 2 + 2 task experts and the shared one, each owned by its unit
        int[][] own = [[0, 1], [2, 3], [4]];
        var outputs = tasks.Append(shared!).ToArray();
        for (var u = 0; u < 3; u++)
        {
            using var mixed = (weights.select(1, u).unsqueeze(2) * experts).sum(1);
            var residual = own[u].Select(e => native[e] * experts.select(1, e)).Aggregate((a, b) => a + b);
            Assert.True(outputs[u].allclose(mixed + residual, rtol: 1e-5, atol: 1e-6), $"unit {u} differs from the formula");
        }
        Assert.Equal(3, level.Gates.Gates);
        Assert.All(Enumerable.Range(0, 3), g => Assert.Equal(Enumerable.Range(0, 5), level.Gates.Members(g)));
    }

    [Fact]
    public void LastLevelWithoutSharedExpertsAddsEachTasksOwnExpertUnweighted()
    {
        manual_seed(4);
        using var level = new ExtractionLevel("l", inputWidth: 4, tasks: 2, sharedCount: 0, taskCount: 1, expertUnits: [3, 2], gateUnits: [2],
            first: false, last: true, RegularizationSettings.None, adaptiveFusion: true);
        level.eval();
        using var x0 = randn(6, 4);
        using var x1 = randn(6, 4);

        var (tasks, shared) = level.forward([x0, x1], null!);

        Assert.Null(shared);
        Assert.Null(level.SharedExperts);
        Assert.DoesNotContain(level.state_dict().Keys, k => k.Contains("native", System.StringComparison.Ordinal));
        using var e0 = level.TaskExperts[0].forward(x0).Activated();
        using var e1 = level.TaskExperts[1].forward(x1).Activated();
        using var experts = cat([e0, e1], 1);
        using var weights = level.Gates.Weights(cat([x0, x1], 1));
        Tensor[] ownExpert = [e0.select(1, 0), e1.select(1, 0)];
        for (var t = 0; t < 2; t++)
        {
            using var expected = (weights.select(1, t).unsqueeze(2) * experts).sum(1) + ownExpert[t];
            Assert.True(tasks[t].allclose(expected, rtol: 1e-5, atol: 1e-6), $"task {t} differs from the formula");
        }
    }

    [Fact]
    public void GateStatisticsListEveryFusionGateOverAllItsLevelsExperts()
    {
        var data = new SyntheticData(seed: 7);
        using var trainer = new AdattModel.Trainer(new TrainingOptions { Epochs = 1, BatchSize = 128, Seed = 5, Threads = 1 });

        var report = trainer.Fit(data.Rows(1_000, seed: 1).Select(r => new AdattModel
        {
            UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
        }));

        // 2 tasks × 2 experts and 1 shared per level; the shared gate below the last level only.
        Assert.Equal(
            [("Click", 0, "0 1 2 3 4"), ("WatchMinutes", 0, "0 1 2 3 4"), ("shared", 0, "0 1 2 3 4"), ("Click", 1, "0 1 2 3 4"), ("WatchMinutes", 1, "0 1 2 3 4")],
            report.Final.Gates.Select(g => (g.Gate, g.Level, string.Join(" ", g.Experts))));
        Assert.All(report.Final.Gates, g => Assert.Equal(1, g.MeanWeights.Sum(), 1e-6));
    }
}
