using System;
using System.IO;
using System.Linq;
using ModelDsl.Layers;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// PEPNet's gates (<c>[EmbeddingPersonalization]</c>, <c>[ParameterPersonalization]</c>): a model with them learns
/// <see cref="SyntheticData"/> to the architectures' bar and its ONNX graph matches TorchSharp within 1e-5; the gate
/// reads its priors with their gradient and the general input without it, and scales by 2·σ.
/// </summary>
public sealed class PepnetTests(ITestOutputHelper output) : IDisposable
{
    private static readonly SyntheticData Data = new(seed: 7);
    private static readonly TrainingOptions Options = new() { Epochs = 4, BatchSize = 256, LearningRate = 1e-2, Seed = 11, Threads = 1 };
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-pepnet-").FullName;

    [Fact]
    public void PepnetOnSharedBottomLearnsAndExportsWhatItTrains()
    {
        static PepnetModel Sample(SyntheticRow r) => new()
        {
            UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
        };
        using var trainer = new PepnetModel.Trainer(Options);
        var report = trainer.Fit(Data.Rows(30_000, seed: 1).Select(Sample), Data.Rows(5_000, seed: 2).Select(Sample));
        output.WriteLine(report.ToString());
        Assert.True(report.Final["Click"].Auc >= 0.75, $"click AUC {report.Final["Click"].Auc}");
        Assert.True(report.Final["WatchMinutes"].Rmse < 0.75 * report.Final["WatchMinutes"].BaselineRmse, "watch RMSE");
        Parity.Check(trainer.Network, Export(trainer, "pepnet.onnx"));
    }

    [Fact]
    public void PpnetOnMmoeExportsWhatItTrains()
    {
        using var trainer = new PpnetMmoeModel.Trainer(Options with { Epochs = 1 });
        trainer.Fit(Data.Rows(3_000, seed: 1).Select(r => new PpnetMmoeModel
        {
            UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
        }));
        Parity.Check(trainer.Network, Export(trainer, "ppnet-mmoe.onnx"));
    }

    /// <summary>
    /// The priors (columns 1 and 3) get the gate's gradient; the other columns, read only as the stopped general input, get none.
    /// With its output layer zeroed the gate scales by exactly 2·σ(0) = 1, and it always stays within (0, 2).
    /// </summary>
    [Fact]
    public void GateTrainsItsPriorsOnlyAndScalesByTwiceTheSigmoid()
    {
        manual_seed(3);
        using var gate = new PriorGate("gate", [1, 3], generalWidth: 5, units: 4, outputWidth: 5);
        using var input = randn([6, 5]).requires_grad_(true);
        using var scales = gate.forward(input, input);
        scales.sum().backward();
        var all = input.grad!.data<float>().ToArray();
        var gradients = Enumerable.Range(0, 5).Select(c => Enumerable.Range(0, 6).Sum(r => Math.Abs(all[r * 5 + c]))).ToArray();
        Assert.True(gradients[1] > 0 && gradients[3] > 0, string.Join(", ", gradients));
        Assert.Equal(new[] { 0f, 0f, 0f }, new[] { gradients[0], gradients[2], gradients[4] });
        Assert.True(scales.min().item<float>() > 0 && scales.max().item<float>() < PriorGate.Scale);

        using (no_grad())
            foreach (var (_, parameter) in gate.named_parameters().Where(p => p.name.StartsWith("output.", StringComparison.Ordinal)))
                parameter.zero_();
        using var ones = gate.forward(input, input);
        Assert.True(ones.eq(1).all().item<bool>(), ones.ToString());
    }

    private string Export<TModel>(ModelTrainer<TModel> trainer, string name)
    {
        var path = Path.Combine(_folder, name);
        trainer.ExportOnnx(path);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
