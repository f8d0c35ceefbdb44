using Esmm;
using ModelDsl.Training;
using Xunit;
using Xunit.Abstractions;

namespace ModelDsl.Tests;

/// <summary>
/// ESMM's claim on the example's simulator (selection bias and sparsity built in, true CVR known on
/// every impression), at a smaller scale than <c>examples/Esmm</c>: over all impressions, the
/// entire-space CVR estimate ranks would-be conversions better and is better calibrated than a CVR
/// model trained on clicked impressions only.
/// </summary>
public class EsmmSimulatorTests(ITestOutputHelper output)
{
    [Fact]
    public void EsmmBeatsClickedOnlyCvrOnTheEntireSpace()
    {
        var simulator = new Simulator(seed: 1);
        var (esmm, baseline) = Comparison.Run(simulator.Impressions(300_000, seed: 2), simulator.Impressions(40_000, seed: 3),
            new TrainingOptions { Epochs = 3, BatchSize = 512, LearningRate = 2e-3, Seed = 7 });
        output.WriteLine($"ESMM     {esmm}");
        output.WriteLine($"baseline {baseline}");

        Assert.True(esmm.CvrAucAll > baseline.CvrAucAll, $"CVR AUC over all impressions: ESMM {esmm.CvrAucAll} vs baseline {baseline.CvrAucAll}");
        Assert.True(esmm.CvrErrorAll < baseline.CvrErrorAll, $"CVR error over all impressions: ESMM {esmm.CvrErrorAll} vs baseline {baseline.CvrErrorAll}");
        Assert.True(baseline.CvrBiasAll > 1.2, $"the clicked-only model should overestimate CVR on the entire space (selection bias), got {baseline.CvrBiasAll}");
    }
}
