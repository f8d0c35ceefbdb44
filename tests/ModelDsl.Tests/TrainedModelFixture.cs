using System;
using System.IO;
using ModelDsl.Tests.Models;
using ModelDsl.Training;

namespace ModelDsl.Tests;

/// <summary>One trained Shared-Bottom model and its exported file, shared by the tests that need them.</summary>
public sealed class TrainedModelFixture : IDisposable
{
    public TrainedModelFixture()
    {
        Data = new SyntheticData(seed: 7);
        var data = Data;
        Validation = data.Samples(5_000, seed: 2);
        Trainer = new ClickWatchModel.Trainer(new TrainingOptions { Epochs = 4, BatchSize = 256, LearningRate = 1e-2, Seed = 11 });
        Report = Trainer.Fit(data.Samples(30_000, seed: 1), Validation);
        Folder = Directory.CreateTempSubdirectory("modeldsl-tests-").FullName;
        OnnxPath = Path.Combine(Folder, "click-watch.onnx");
        Trainer.ExportOnnx(OnnxPath);
    }

    internal SyntheticData Data { get; }
    public ClickWatchModel.Trainer Trainer { get; }
    public Training.TrainingReport Report { get; }
    public System.Collections.Generic.List<ClickWatchModel> Validation { get; }
    public string Folder { get; }
    public string OnnxPath { get; }

    public void Dispose()
    {
        Trainer.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
