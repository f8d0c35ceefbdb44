using System;
using System.IO;
using System.Linq;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>A predictor refuses, with a message naming the file and the problem, anything but its own model.</summary>
public sealed class PredictorFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-files-").FullName;

    [Fact]
    public void MissingFile()
    {
        var path = Path.Combine(_folder, "absent.onnx");
        var error = Assert.Throws<FileNotFoundException>(() => new ClickWatchModel.Predictor(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DirectoryIsNotAModelFile()
    {
        var error = Assert.Throws<ModelFileException>(() => new ClickWatchModel.Predictor(_folder));
        Assert.Equal($"'{_folder}' is a directory, not an ONNX model file.", error.Message);
    }

    [Fact]
    public void CorruptFile()
    {
        var path = Path.Combine(_folder, "corrupt.onnx");
        File.WriteAllBytes(path, [0x08, 0x07, 0xFF, 0x13, 0x37, 0x00, 0x42]);
        var error = Assert.Throws<ModelFileException>(() => new ClickWatchModel.Predictor(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a valid ONNX model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelOfAnotherSpec()
    {
        var path = Path.Combine(_folder, "other.onnx");
        using (var trainer = new OtherModel.Trainer(new TrainingOptions { Epochs = 1 }))
            trainer.ExportOnnx(path);
        var error = Assert.Throws<ModelFileException>(() => new ClickWatchModel.Predictor(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("ModelDsl.Tests.Models.OtherModel", error.Message, StringComparison.Ordinal);
        Assert.Contains(ClickWatchModel.Schema.Fingerprint, error.Message, StringComparison.Ordinal);

        using var own = new OtherModel.Predictor(path);
        Assert.InRange(own.Predict(new OtherModel.Features(ItemId: 3)).Like, 0f, 1f);
    }

    [Fact]
    public void GraphThatDoesNotRunIsRejectedWhenOpened()
    {
        // The predictor runs one candidate when it opens the file, so a graph that loads but cannot run fails there, not on a first request.
        var path = Path.Combine(_folder, "broken.onnx");
        using (var trainer = new OtherModel.Trainer())
            trainer.ExportOnnx(path);
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var offsets = model.Graph.Initializer.Single(t => t.Name.EndsWith(".offsets", StringComparison.Ordinal));
        offsets.RawData = Google.Protobuf.ByteString.Empty;
        offsets.Int64Data.Clear();
        offsets.Int64Data.Add(1_000_000);   // every id looks up a row past the table's end: only a run finds out
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));

        var error = Assert.Throws<ModelFileException>(() => new OtherModel.Predictor(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("does not run", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseAfterDisposeThrows()
    {
        var path = Path.Combine(_folder, "other.onnx");
        using (var trainer = new OtherModel.Trainer())
            trainer.ExportOnnx(path);
        var predictor = new OtherModel.Predictor(path);
        predictor.Dispose();
        Assert.Throws<ObjectDisposedException>(() => predictor.Predict(new OtherModel.Features(1)));
    }

    [Fact]
    public void OutOfVocabularyIdNamesTheMemberAndTheCandidateIndex()
    {
        var path = Path.Combine(_folder, "other.onnx");
        using (var trainer = new OtherModel.Trainer())
            trainer.ExportOnnx(path);
        using var predictor = new OtherModel.Predictor(path);
        var error = Assert.Throws<ModelDataException>(() => predictor.Predict(new OtherModel.Features(ItemId: 10)));
        Assert.Contains("OtherModel.ItemId = 10", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ModelDataException>(() => predictor.Predict([new OtherModel.Features(1), new OtherModel.Features(10)], new OtherModel.Prediction[2]));
        Assert.StartsWith("candidate at index 1: OtherModel.ItemId = 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongInputShapeIsRejectedByTheExportedGraph()
    {
        // The predictor always builds [batch, columns]; another host feeding the file a wrong shape gets told which input and dimension.
        var path = Path.Combine(_folder, "other.onnx");
        using (var trainer = new OtherModel.Trainer())
            trainer.ExportOnnx(path);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        var wrong = Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("categorical",
            new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(new long[6], [2, 3]));
        var error = Assert.Throws<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(() => session.Run([wrong]));
        Assert.Contains("categorical", error.Message, StringComparison.Ordinal);
        Assert.Contains("Got: 3 Expected: 1", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
