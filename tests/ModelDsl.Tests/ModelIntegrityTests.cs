using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using ModelDsl.Onnx;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Onnx;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>
/// An exported model carries a SHA-256 of itself (and of its external data file), checked when a predictor opens it:
/// a damaged or edited file is refused instead of served. Of 200 single-bit flips, 35 used to load and serve changed
/// predictions.
/// </summary>
public sealed class ModelIntegrityTests : IDisposable
{
    /// <summary>Puts OtherModel's 160-byte table, and nothing smaller, in the external data file.</summary>
    private const long SmallThreshold = 160;

    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-integrity-").FullName;

    [Fact]
    public void AnyHostCanVerifyTheDigest()
    {
        var path = Export("model.onnx");
        var bytes = File.ReadAllBytes(path);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        var digest = session.ModelMetadata.CustomMetadataMap[OnnxMetadata.Digest];
        // The last 85 bytes are the digest's metadata entry; the digest is the SHA-256 of everything before them.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 85))), digest);
        Assert.Equal(digest, Encoding.ASCII.GetString(bytes[^64..]));
        Assert.Equal(digest, ModelProto.Parser.ParseFrom(bytes).MetadataProps[^1].Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EverySingleBitFlipIsRefused(bool externalData)
    {
        var path = Export("model.onnx", externalData ? SmallThreshold : null);
        var files = Directory.GetFiles(_folder).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(externalData ? 2 : 1, files.Length);
        var expected = Scores(path);
        var random = new Random(15);
        for (var flip = 0; flip < 200; flip++)
        {
            var file = files[flip % files.Length];
            var original = File.ReadAllBytes(file);
            var damaged = (byte[])original.Clone();
            var bit = random.NextInt64(8L * damaged.Length);
            damaged[bit / 8] ^= (byte)(1 << (int)(bit % 8));
            File.WriteAllBytes(file, damaged);
            var error = Assert.Throws<ModelFileException>(() => new OtherModel.Predictor(path));
            Assert.Contains(file, error.Message, StringComparison.Ordinal);
            File.WriteAllBytes(file, original);
        }
        Assert.Equal(expected, Scores(path));
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    public void ATruncatedModelFileIsRefused(double kept)
    {
        var path = Export("model.onnx");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * kept)]);
        var error = Assert.Throws<ModelFileException>(() => new OtherModel.Predictor(path));
        Assert.StartsWith($"The ONNX model file '{path}' does not end with its 'modeldsl.sha256' metadata entry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEditedGraphThatKeepsTheMetadataIsRefused()
    {
        var path = Export("model.onnx");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Scale(model, 2);
        File.WriteAllBytes(path, model.ToByteArray());
        var error = Assert.Throws<ModelFileException>(() => new OtherModel.Predictor(path));
        Assert.StartsWith($"The ONNX model file '{path}' is damaged or was edited: the SHA-256 of its content is ", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The digest finds damage, not forgery: whoever can write the file can recompute it (docs/architecture.md).</summary>
    [Fact]
    public void AForgedFileWithARecomputedDigestLoads()
    {
        var path = Export("model.onnx");
        var expected = Scores(path);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Scale(model, 2);
        Reseal(path, model);
        Assert.NotEqual(expected, Scores(path));
    }

    [Fact]
    public void ExternalDataIsServedAndRunsInOnnxRuntime()
    {
        using var trainer = new OtherModel.Trainer(new TrainingOptions { Epochs = 1, Seed = 3 });
        var single = Path.Combine(_folder, "single", "model.onnx");
        var split = Path.Combine(_folder, "split", "model.onnx");
        trainer.ExportOnnx(single);
        trainer.Network.ExportOnnx(split, SmallThreshold);

        var data = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(split)!, "model.onnx.*.data"));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(split));
        var table = Assert.Single(model.Graph.Initializer, t => t.DataLocation == TensorProto.Types.DataLocation.External);
        Assert.EndsWith(".table", table.Name, StringComparison.Ordinal);
        Assert.Equal(Path.GetFileName(data), table.ExternalData.Single(e => e.Key == "location").Value);
        Assert.Equal($"{Path.GetFileName(data)}:{new FileInfo(data).Length}:{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(data)))}",
            model.MetadataProps.Single(p => p.Key == OnnxMetadata.ExternalData).Value);
        Assert.Equal(Scores(single), Scores(split));
        Parity.Check(trainer.Network, split);   // ONNX Runtime itself finds the data beside the model
    }

    [Fact]
    public void AnExportReplacesTheSetAndDeletesTheOldDataFile()
    {
        var path = Path.Combine(_folder, "model.onnx");
        // What an export killed while writing its data file leaves behind.
        var killed = Path.Combine(_folder, $"model.onnx.{Guid.NewGuid():N}.data");
        File.WriteAllBytes(killed, new byte[100]);
        using var trainer = new OtherModel.Trainer(new TrainingOptions { Epochs = 1, Seed = 3 });
        trainer.Network.ExportOnnx(path, SmallThreshold);
        var first = Directory.GetFiles(_folder).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, first.Length);
        Assert.DoesNotContain(killed, first);
        trainer.Fit([new OtherModel { ItemId = 1, Like = true }, new OtherModel { ItemId = 2 }]);
        trainer.Network.ExportOnnx(path, SmallThreshold);
        var second = Directory.GetFiles(_folder).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, second.Length);
        Assert.DoesNotContain(first.Single(f => f.EndsWith(".data", StringComparison.Ordinal)), second);
        Scores(path);
        trainer.ExportOnnx(path);
        Assert.Equal([path], Directory.GetFiles(_folder));
        Scores(path);
    }

    [Fact]
    public void AFailedExportLeavesTheEarlierSetIntact()
    {
        var path = Path.Combine(_folder, "model.onnx");
        using var trainer = new OtherModel.Trainer(new TrainingOptions { Epochs = 1, Seed = 3 });
        trainer.Network.ExportOnnx(path, SmallThreshold);
        var before = Snapshot();
        var expected = Scores(path);

        // The second tensor's bytes cannot be read: the export fails midway through the data file.
        var g = new OnnxGraphBuilder(externalDataThreshold: 4);
        g.Weight("a", TorchSharp.torch.ones(2));
        var gone = TorchSharp.torch.ones(2);
        g.Weight("b", gone);
        g.External[1].Values.Dispose();
        Assert.ThrowsAny<Exception>(() => OnnxModelFile.Write(path, g.Build([]), g.External));
        gone.Dispose();

        Assert.Equal(before, Snapshot());
        Assert.Equal(expected, Scores(path));
    }

    /// <summary>Tables each under the threshold go external too once together they would pass the inline limit (protobuf holds 2 GB).</summary>
    [Fact]
    public void WeightsThatWouldAddUpPastTheInlineLimitGoExternal()
    {
        var g = new OnnxGraphBuilder(externalDataThreshold: 1000, inlineLimit: 300);
        foreach (var name in new[] { "a", "b", "c" })
            g.Weight(name, TorchSharp.torch.ones(40));   // 160 bytes each
        Assert.Equal(["b", "c"], g.External.Select(e => e.Proto.Name));
        Assert.Equal(160, g.Build([]).Graph.Initializer.Single(t => t.Name == "a").RawData.Length);
        foreach (var tensor in g.External)
            tensor.Values.Dispose();
    }

    [Fact]
    public void AMissingTruncatedOrTamperedDataFileIsRefused()
    {
        var path = Export("model.onnx", SmallThreshold);
        var data = Directory.GetFiles(_folder, "*.data").Single();
        var bytes = File.ReadAllBytes(data);

        File.WriteAllBytes(data, bytes[..^1]);
        var error = Assert.Throws<ModelFileException>(() => new OtherModel.Predictor(path));
        Assert.Equal($"The external data file '{data}' is truncated: {bytes.Length - 1:N0} bytes, but the ONNX model file '{path}' expects {bytes.Length:N0}.", error.Message);

        File.WriteAllBytes(data, [.. bytes, 0]);
        error = Assert.Throws<ModelFileException>(() => new OtherModel.Predictor(path));
        Assert.Equal($"The external data file '{data}' is {bytes.Length + 1:N0} bytes, but the ONNX model file '{path}' expects {bytes.Length:N0}.", error.Message);

        var tampered = (byte[])bytes.Clone();
        tampered[7] = 0x7F;
        File.WriteAllBytes(data, tampered);
        error = Assert.Throws<ModelFileException>(() => new OtherModel.Predictor(path));
        Assert.StartsWith($"The external data file '{data}' is damaged or was edited: its SHA-256 is ", error.Message, StringComparison.Ordinal);

        File.Delete(data);
        error = Assert.Throws<ModelFileException>(() => new OtherModel.Predictor(path));
        Assert.Equal($"The ONNX model file '{path}' keeps its large weights in '{data}', which does not exist: copy it along with the model file.", error.Message);
    }

    /// <summary>Writes <paramref name="model"/> with a digest of its own, as anyone who can write the file could.</summary>
    internal static void Reseal(string path, ModelProto model)
    {
        var digest = model.MetadataProps.Single(p => p.Key == OnnxMetadata.Digest);
        model.MetadataProps.Remove(digest);
        var content = model.ToByteArray();
        model.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadata.Digest, Value = Convert.ToHexStringLower(SHA256.HashData(content)) });
        File.WriteAllBytes(path, model.ToByteArray());
    }

    private string Export(string name, long? threshold = null)
    {
        var path = Path.Combine(_folder, name);
        using var trainer = new OtherModel.Trainer(new TrainingOptions { Epochs = 1, Seed = 3 });
        if (threshold is { } t)
            trainer.Network.ExportOnnx(path, t);
        else
            trainer.ExportOnnx(path);
        return path;
    }

    /// <summary>Each file in the folder with the SHA-256 of its content.</summary>
    private string[] Snapshot() =>
        Directory.GetFiles(_folder).Order(StringComparer.Ordinal).Select(f => $"{f} {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))}").ToArray();

    private static void Scale(ModelProto model, float factor)
    {
        var table = model.Graph.Initializer.Single(t => t.Name.EndsWith(".table", StringComparison.Ordinal));
        var values = table.RawData.ToByteArray();
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(values.AsSpan());
        for (var i = 0; i < floats.Length; i++)
            floats[i] *= factor;
        table.RawData = ByteString.CopyFrom(values);
    }

    private static float[] Scores(string path)
    {
        using var predictor = new OtherModel.Predictor(path);
        var predictions = new OtherModel.Prediction[10];
        predictor.Predict(Enumerable.Range(0, 10).Select(i => new OtherModel.Features(i)).ToArray(), predictions);
        return predictions.Select(p => p.Like).ToArray();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
