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
        Assert.Equal($"The ONNX model file '{_folder}' is a directory.", error.Message);
    }

    [Fact]
    public void CorruptFile()
    {
        var path = Path.Combine(_folder, "corrupt.onnx");
        File.WriteAllBytes(path, [0x08, 0x07, 0xFF, 0x13, 0x37, 0x00, 0x42]);
        var error = Assert.Throws<ModelFileException>(() => new ClickWatchModel.Predictor(path));
        Assert.StartsWith($"The ONNX model file '{path}' does not end with its 'modeldsl.sha256' metadata entry", error.Message, StringComparison.Ordinal);
    }

    /// <summary>/dev/zero was read for 4.2 GB, then threw OutOfMemoryException.</summary>
    [Fact]
    public void ADeviceIsNotAModelFile()
    {
        var error = Assert.Throws<ModelFileException>(() => new ClickWatchModel.Predictor("/dev/zero"));
        Assert.Equal("The ONNX model file '/dev/zero' is empty or not a regular file (a device, FIFO or socket).", error.Message);
    }

    /// <summary>A FIFO used to hang the constructor forever, waiting for a writer.</summary>
    [Fact]
    public void AFifoIsRefusedWithoutWaitingForAWriter()
    {
        var fifo = FileKinds.Fifo(_folder);
        var error = Assert.Throws<ModelFileException>(() => FileKinds.WithinAMinute(fifo, () => new ClickWatchModel.Predictor(fifo).Dispose()));
        Assert.Equal($"The ONNX model file '{fifo}' is empty or not a regular file (a device, FIFO or socket).", error.Message);
    }

    /// <summary>A loop of symbolic links threw a raw IOException.</summary>
    [Fact]
    public void ASymbolicLinkLoopIsNamed()
    {
        var loop = FileKinds.LinkLoop(_folder);
        var error = Assert.Throws<ModelFileException>(() => new ClickWatchModel.Predictor(loop));
        Assert.StartsWith($"The ONNX model file '{loop}' is a symbolic link that cannot be followed: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADanglingSymbolicLinkNamesItsTarget()
    {
        var link = Path.Combine(_folder, "link.onnx");
        File.CreateSymbolicLink(link, Path.Combine(_folder, "gone.onnx"));
        var error = Assert.Throws<ModelFileException>(() => new ClickWatchModel.Predictor(link));
        Assert.Equal($"The ONNX model file '{link}' is a symbolic link to '{Path.Combine(_folder, "gone.onnx")}', which does not exist.", error.Message);
    }

    /// <summary>
    /// An output of shape [1] passes a one-candidate run; every batch then threw a raw OnnxRuntimeException. Declared
    /// so, the open check reads it; declared [batch] but computed [1], the run of two candidates at open finds it.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AGraphThatBreaksBatchedCallsIsRefusedWhenOpened(bool declared)
    {
        var (path, output) = FirstRowsOnly(rows: 1, declared);
        var error = Assert.Throws<ModelFileException>(() => new OtherModel.Predictor(path));
        Assert.StartsWith(declared
            ? $"ONNX model '{path}' declares output '{output}' as Float [1], not Float [batch]: one value per candidate."
            : $"ONNX model '{path}' does not run: ", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A graph that fails only at batch sizes the open check does not try is named when a call fails, not a raw OnnxRuntimeException.</summary>
    [Fact]
    public void AGraphThatFailsAtALargerBatchIsNamedWhenItFails()
    {
        var (path, _) = FirstRowsOnly(rows: 2, declared: false);
        using var predictor = new OtherModel.Predictor(path);
        var error = Assert.Throws<ModelFileException>(() => predictor.Predict([new(1), new(2), new(3)], new OtherModel.Prediction[3]));
        Assert.StartsWith($"ONNX model '{path}' failed to score 3 candidates: ", error.Message, StringComparison.Ordinal);
    }

    /// <summary>OtherModel's graph with its output cut to the first <paramref name="rows"/> rows, declared [rows] or left [batch]; the digest recomputed.</summary>
    private (string Path, string Output) FirstRowsOnly(int rows, bool declared)
    {
        var path = Path.Combine(_folder, "first-rows.onnx");
        using (var trainer = new OtherModel.Trainer())
            trainer.ExportOnnx(path);
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var output = model.Graph.Output.Single();
        var identity = model.Graph.Node.Single(n => n.Output.Single() == output.Name);
        var first = new global::Onnx.NodeProto { OpType = "Slice", Name = "first_rows", Input = { identity.Input[0], "zero_1d", "rows_1d" }, Output = { "first" } };
        model.Graph.Initializer.Add(Int64("zero_1d", 0));
        model.Graph.Initializer.Add(Int64("rows_1d", rows));
        model.Graph.Node.Insert(model.Graph.Node.IndexOf(identity), first);
        identity.Input[0] = "first";
        if (declared)
            output.Type.TensorType.Shape.Dim[0] = new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = rows };
        ModelIntegrityTests.Reseal(path, model);
        return (path, output.Name);
    }

    private static global::Onnx.TensorProto Int64(string name, long value)
    {
        var tensor = new global::Onnx.TensorProto { Name = name, DataType = (int)global::Onnx.TensorProto.Types.DataType.Int64, Dims = { 1 } };
        tensor.Int64Data.Add(value);
        return tensor;
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
        ModelIntegrityTests.Reseal(path, model);

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
