using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// ESCM²-IPS along a chain: Cart given Click, weighted per sample, and Purchase given Cart, whose propensity is the joint
/// p(click ∧ cart); floors and weights other than the defaults.
/// </summary>
[MultiTaskModel]
[SharedBottom(16)]
[Regularization(DenseL2 = 1e-3)]
public partial class IpsStepModel
{
    [Categorical(Vocabulary = 40, Dim = 8)] public int ItemId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 4 }, Given = nameof(Click), Counterfactual = CounterfactualRegularizer.InversePropensity, CounterfactualWeight = 0.7, PropensityFloor = 0.2)]
    public bool Cart { get; init; }
    [SampleWeight(For = nameof(Cart))] public float CartWeight { get; init; }
    [BinaryTask(Given = nameof(Cart), Counterfactual = CounterfactualRegularizer.InversePropensity, CounterfactualWeight = 2)] public bool Purchase { get; init; }

    public static List<IpsStepModel> Samples(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var item = random.Next(40);
            var click = random.NextDouble() < 0.1 + item % 4 * 0.25;
            var cart = click && random.NextDouble() < 0.5;
            return new IpsStepModel
            {
                ItemId = item, Price = (float)random.NextDouble(), Click = click, Cart = cart, CartWeight = (float)(0.5 + random.NextDouble()),
                Purchase = cart && random.NextDouble() < 0.5,
            };
        }).ToList();
    }
}

/// <summary>
/// ESCM²-DR on MMoE with PPNet: the imputation tower (two hidden layers) reads the purchase tower's input without PPNet's scales;
/// PositivesOnly sample weights on the purchase task.
/// </summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 2, ExpertUnits = new[] { 8 })]
[ParameterPersonalization(nameof(UserId), GateUnits = 4)]
[Regularization(DenseL2 = 1e-3)]
public partial class DrStepModel
{
    [Categorical(Vocabulary = 40, Dim = 8)] public int ItemId { get; init; }
    [Categorical(Vocabulary = 20, Dim = 4)] public int UserId { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask(Tower = new[] { 8 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 8, 4 }, Given = nameof(Click), Counterfactual = CounterfactualRegularizer.DoublyRobust, PropensityFloor = 0.05)]
    public bool Purchase { get; init; }
    [SampleWeight(For = nameof(Purchase), PositivesOnly = true)] public float Value { get; init; }

    public static List<DrStepModel> Samples(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var item = random.Next(40);
            var click = random.NextDouble() < 0.1 + item % 4 * 0.25;
            return new DrStepModel
            {
                ItemId = item, UserId = random.Next(20), Price = (float)random.NextDouble(), Click = click,
                Purchase = click && random.NextDouble() < 0.3 + item % 3 * 0.2, Value = 1 + random.Next(3),
            };
        }).ToList();
    }
}

/// <summary>
/// From the same weights on the same batch, three steps of the PyTorch trainer on ESCM² models agree with the C# trainer's
/// within 1e-5 (python/modeldsl's counterfactual_risk is CounterfactualRisk's twin: detached and floored propensity,
/// softplus imputation, held δ, sample weights, λ); the DR model's Python-trained weights, its imputation tower
/// included, load back into the C# trainer; and two DDP ranks take one process's steps.
/// </summary>
public sealed class CounterfactualStepParityTests : IDisposable
{
    private const int Rows = 96;
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-escm-step-").FullName;

    private static TrainingOptions Options => new() { BatchSize = Rows, Epochs = 3, LearningRate = 1e-3, Threads = 1 };

    [Fact]
    public void ThreeStepsOfEscmIpsAgreeWithTheCSharpTrainer()
    {
        var options = Options;
        using var csharp = new IpsStepModel.Trainer(options);
        using var initial = new IpsStepModel.Trainer(options);
        using var python = new IpsStepModel.Trainer(options);
        DdpRun.TrainBoth(_folder, csharp, initial, python, options, IpsStepModel.Samples(Rows, seed: 4), "ESCM²-IPS");
    }

    [Fact]
    public void ThreeStepsOfEscmDrAgreeWithTheCSharpTrainerImputationTowerIncluded()
    {
        var options = Options;
        using var csharp = new DrStepModel.Trainer(options);
        using var initial = new DrStepModel.Trainer(options);
        using var python = new DrStepModel.Trainer(options);
        DdpRun.TrainBoth(_folder, csharp, initial, python, options, DrStepModel.Samples(Rows, seed: 6), "ESCM²-DR");
        // The Python trainer moved the imputation tower, and Load took its weights from the file Python wrote.
        var trained = python.Network.state_dict();
        var imputation = initial.Network.state_dict().Where(e => e.Key.StartsWith("imputation_Purchase.", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, imputation.Count);
        Assert.Contains(imputation, e => !e.Value.eq(trained[e.Key]).all().item<bool>());
    }

    [Fact]
    public void TwoRanksOfEscmDrTakeTheStepsOfOneProcess()
    {
        // Each rank's regularizer is a mean over its part of the batch (16/17 rows), scaled by its share as the task losses are.
        var options = Options with { BatchSize = 33, Epochs = 2 };
        using var trainer = new DrStepModel.Trainer(options);
        var run = DdpRun.Prepare(_folder, trainer, options, DrStepModel.Samples(Rows, seed: 8));
        run.Launch(2, "--output", Path.Combine(_folder, "rank{rank}.weights"));
        run.Launch(1, "--output", Path.Combine(_folder, "single.weights"));
        using var rank0 = new DrStepModel.Trainer(options);
        using var single = new DrStepModel.Trainer(options);
        rank0.Load(Path.Combine(_folder, "rank0.weights"));
        single.Load(Path.Combine(_folder, "single.weights"));
        Assert.True(DdpRun.Differ(trainer.Network, single.Network), "training did not move the weights");
        DdpRun.AssertSameWeights(single.Network, rank0.Network, 1e-5, "ESCM²-DR, two ranks against one process");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
