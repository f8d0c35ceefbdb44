using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// The PyTorch trainer's validation metrics of a multiclass task (accuracy, macro one-vs-rest AUC, log loss) are
/// what the C# evaluator computes on the weights it ends with.
/// </summary>
public sealed class MulticlassMetricsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-multiclass-ddp-").FullName;

    [Fact]
    public void ThePyTorchTrainersMulticlassMetricsAreTheCSharpEvaluators()
    {
        var options = new TrainingOptions { Epochs = 1, BatchSize = 64, LearningRate = 1e-2, Threads = 1 };
        using var trainer = new StepParityModel.Trainer(options);
        var validation = StepParityModel.Samples(200, seed: 6);
        var run = DdpRun.Prepare(_folder, trainer, options, StepParityModel.Samples(256, seed: 5), validation);

        var output = run.Launch(1, "--validation", run.Validation, "--output", Path.Combine(_folder, "python.weights"));
        using var python = new StepParityModel.Trainer(options);
        python.Load(Path.Combine(_folder, "python.weights"));

        var epoch = output.Split('\n').Last(l => l.StartsWith("modeldsl epoch ", StringComparison.Ordinal))["modeldsl epoch ".Length..];
        var reported = JsonDocument.Parse(epoch).RootElement.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("task").GetString() == "Band");
        var expected = python.Evaluate(validation).Single(m => m.Task == "Band");
        Assert.Equal("multiclass", reported.GetProperty("kind").GetString());
        // A near tie between two classes may fall either way in the two runtimes' float32 arithmetic.
        Assert.InRange(reported.GetProperty("accuracy").GetDouble() - expected.Accuracy!.Value, -0.006, 0.006);
        Assert.Equal(expected.Auc!.Value, reported.GetProperty("auc").GetDouble(), 1e-5);
        Assert.Equal(expected.LogLoss!.Value, reported.GetProperty("log_loss").GetDouble(), 1e-5);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
