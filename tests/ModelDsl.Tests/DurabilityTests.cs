using System;
using System.IO;
using System.Linq;
using ModelDsl.IO;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>Nothing is lost: a write that fails midway leaves the previous file as it was, and no stray temporary file.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-durable-").FullName;

    [Fact]
    public void FailedWriteKeepsThePreviousFile()
    {
        var path = Path.Combine(_folder, "model.onnx");
        File.WriteAllText(path, "previous");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void ExportReplacesTheModelWhole()
    {
        var path = Path.Combine(_folder, "other.onnx");
        using var trainer = new OtherModel.Trainer(new TrainingOptions { Epochs = 1 });
        trainer.ExportOnnx(path);
        var first = File.ReadAllBytes(path);
        trainer.Fit([new OtherModel { ItemId = 1, Like = true }, new OtherModel { ItemId = 2 }]);
        trainer.ExportOnnx(path);
        Assert.NotEqual(first, File.ReadAllBytes(path));
        using var predictor = new OtherModel.Predictor(path);
        Assert.InRange(predictor.Predict(new OtherModel.Features(1)).Like, 0f, 1f);
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void ExportIntoAMissingFolderCreatesIt()
    {
        var path = Path.Combine(_folder, "a", "b", "model.onnx");
        using var trainer = new OtherModel.Trainer();
        trainer.ExportOnnx(path);
        Assert.True(File.Exists(path));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
