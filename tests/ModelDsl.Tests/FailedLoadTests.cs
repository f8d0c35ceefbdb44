using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using ModelDsl.Layers;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>
/// A weights file or checkpoint that cannot be used is refused whole: the trainer's weights, and what it trains
/// next, are as if the load had never been tried. TorchSharp's load writes each tensor as it reads it, so a file
/// cut short used to leave the network part overwritten.
/// </summary>
public sealed class FailedLoadTests : IDisposable
{
    private static readonly NumericLabelModel[] Samples =
    [
        new() { ItemId = 1, Price = 2, Converted = 1, Revenue = 3 },
        new() { ItemId = 2, Price = 1, Converted = 0, Revenue = 0 },
        new() { ItemId = 3, Price = 5, Converted = 1, Revenue = 1 },
    ];

    private static readonly TrainingOptions Options = new() { Epochs = 2, BatchSize = 2, LearningRate = 0.05, Seed = 1 };

    /// <summary>
    /// The share of the file kept, and whether the cut file gets a valid checksum, so that reading fails midway
    /// (or, TorchSharp reading a short tensor without complaint, ends in the checksum) rather than at the check.
    /// </summary>
    public static TheoryData<double, bool> Cuts()
    {
        var cuts = new TheoryData<double, bool>();
        foreach (var resealed in new[] { false, true })
        {
            foreach (var kept in new[] { 0.3, 0.6, 0.9, 0.99 })
                cuts.Add(kept, resealed);
        }
        return cuts;
    }

    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-failed-load-").FullName;

    [Theory]
    [MemberData(nameof(Cuts))]
    public void TruncatedWeightsFileLeavesTheWeights(double kept, bool resealed)
    {
        var path = Path.Combine(_folder, "weights.bin");
        using (var source = new NumericLabelModel.Trainer(Options))
        {
            source.Fit(Samples);
            source.Save(path);
        }
        Cut(path, kept, resealed);
        using var trainer = new NumericLabelModel.Trainer(Options with { Seed = 2 });
        var before = Weights(trainer.Network);

        var error = Assert.Throws<ModelFileException>(() => trainer.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Weights(trainer.Network));
    }

    [Theory]
    [MemberData(nameof(Cuts))]
    public void TruncatedCheckpointLeavesTheWeightsAndTheNextRun(double kept, bool resealed)
    {
        var options = Options with { LossWeighting = new LossWeightingSettings(LossWeightingStrategy.GradNorm) };
        var path = Path.Combine(_folder, "run.ckpt");
        using (var source = new NumericLabelModel.Trainer(options with { CheckpointPath = path }))
            source.Fit(Samples);
        Cut(path, kept, resealed);
        using var untouched = new NumericLabelModel.Trainer(options with { Seed = 2 });
        using var trainer = new NumericLabelModel.Trainer(options with { Seed = 2 });

        var error = Assert.Throws<ModelFileException>(() => trainer.Fit(Samples, resumeFrom: path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(Weights(untouched.Network), Weights(trainer.Network));
        Assert.Equal(Describe(untouched.Fit(Samples)), Describe(trainer.Fit(Samples)));
        Assert.Equal(Weights(untouched.Network), Weights(trainer.Network));
    }

    /// <summary>
    /// The optimizer's state comes after the network's in a checkpoint: resuming with another optimizer failed there,
    /// with the network already overwritten and an InvalidDataException that named no file.
    /// </summary>
    [Fact]
    public void ResumingWithAnotherOptimizerLeavesTheWeights()
    {
        var path = Path.Combine(_folder, "adam.ckpt");
        using (var source = new NumericLabelModel.Trainer(Options with { CheckpointPath = path }))
            source.Fit(Samples);
        using var trainer = new NumericLabelModel.Trainer(Options with { Optimizer = OptimizerKind.Sgd, Seed = 2 });
        var before = Weights(trainer.Network);

        var error = Assert.Throws<ModelFileException>(() => trainer.Fit(Samples, resumeFrom: path));
        Assert.StartsWith($"The training checkpoint '{path}' is truncated or damaged: Mismatched optimizer type", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Weights(trainer.Network));
    }

    /// <summary>A flipped byte in a tensor used to load without an error.</summary>
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public void AFlippedByteInAWeightsFileIsRefused(double at)
    {
        var path = Path.Combine(_folder, "weights.bin");
        using (var source = new NumericLabelModel.Trainer(Options))
            source.Save(path);
        Flip(path, at);
        using var trainer = new NumericLabelModel.Trainer(Options with { Seed = 2 });
        var before = Weights(trainer.Network);

        var error = Assert.Throws<ModelFileException>(() => trainer.Load(path));
        Assert.Equal($"The weights file '{path}' is truncated or damaged: its checksum does not match its content.", error.Message);
        Assert.Equal(before, Weights(trainer.Network));
    }

    [Fact]
    public void AFlippedByteInACheckpointIsRefused()
    {
        var path = Path.Combine(_folder, "run.ckpt");
        using (var source = new NumericLabelModel.Trainer(Options with { CheckpointPath = path }))
            source.Fit(Samples);
        Flip(path, 0.5);
        using var trainer = new NumericLabelModel.Trainer(Options with { Seed = 2 });
        var before = Weights(trainer.Network);

        var error = Assert.Throws<ModelFileException>(() => trainer.Fit(Samples, resumeFrom: path));
        Assert.Equal($"The training checkpoint '{path}' is truncated or damaged: its checksum does not match its content.", error.Message);
        Assert.Equal(before, Weights(trainer.Network));
    }

    [Fact]
    public void AFileOfTheFormerFormatNamesIt()
    {
        var path = Path.Combine(_folder, "old.bin");
        using (var writer = new BinaryWriter(File.Create(path)))
        {
            writer.Write("MODELDSL-WEIGHTS");
            writer.Write(1);
            writer.Write(NumericLabelModel.Schema.Fingerprint);
        }
        using var trainer = new NumericLabelModel.Trainer();
        var error = Assert.Throws<ModelFileException>(() => trainer.Load(path));
        Assert.Equal($"The weights file '{path}' has format 1; this ModelDsl reads formats 2 to 3.", error.Message);
    }

    [Fact]
    public void PathsThatAreNotRegularFilesAreNamed()
    {
        using var trainer = new NumericLabelModel.Trainer(Options);
        var before = Weights(trainer.Network);
        var fifo = FileKinds.Fifo(_folder);
        var loop = FileKinds.LinkLoop(_folder);
        (string Path, string Message)[] cases =
        [
            (_folder, $"The weights file '{_folder}' is a directory."),
            ("/dev/zero", "The weights file '/dev/zero' is empty or not a regular file (a device, FIFO or socket)."),
            (fifo, $"The weights file '{fifo}' is empty or not a regular file (a device, FIFO or socket)."),
            (loop, $"The weights file '{loop}' is a symbolic link that cannot be followed: "),
            (Path.Combine(_folder, "absent.bin"), $"The weights file '{Path.Combine(_folder, "absent.bin")}' does not exist."),
        ];
        foreach (var (path, message) in cases)
        {
            var error = Assert.Throws<ModelFileException>(() => FileKinds.WithinAMinute(fifo, () => trainer.Load(path)));
            Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
            var resume = Assert.Throws<ModelFileException>(() => FileKinds.WithinAMinute(fifo, () => trainer.Fit(Samples, resumeFrom: path)));
            Assert.StartsWith(message.Replace("weights file", "training checkpoint", StringComparison.Ordinal), resume.Message, StringComparison.Ordinal);
        }
        Assert.Equal(before, Weights(trainer.Network));
    }

    /// <summary>A length field of 2³¹−1 in a checkpoint whose checksum was recomputed threw a raw OutOfMemoryException.</summary>
    [Fact]
    public void ALengthFieldBeyondTheFileIsNamed()
    {
        var path = Path.Combine(_folder, "run.ckpt");
        using (var source = new NumericLabelModel.Trainer(Options with { CheckpointPath = path }))
            source.Fit(Samples);
        var bytes = File.ReadAllBytes(path);
        long at;
        using (var reader = new BinaryReader(new MemoryStream(bytes)))
        {
            // The header, then the fingerprint, strategy, epochs, best value, best epoch and epochs since: next is the best weights' length.
            reader.ReadString();
            reader.ReadInt32();
            reader.ReadString();
            reader.ReadInt32();
            reader.ReadString();
            reader.ReadDouble();
            reader.ReadInt64();
            at = reader.BaseStream.Position;
        }
        BitConverter.TryWriteBytes(bytes.AsSpan((int)at), int.MaxValue);
        var content = bytes[..^SHA256.HashSizeInBytes];
        File.WriteAllBytes(path, [.. content, .. SHA256.HashData(content)]);
        using var trainer = new NumericLabelModel.Trainer(Options with { Seed = 2 });

        var error = Assert.Throws<ModelFileException>(() => trainer.Fit(Samples, resumeFrom: path));
        Assert.Equal($"The training checkpoint '{path}' is truncated or damaged: a length field says 2,147,483,647 bytes at offset {at + 4:N0}, "
            + $"but {content.Length - at - 4:N0} remain before the checksum.", error.Message);
    }

    /// <summary>
    /// A file whose checksum holds but whose last tensor has another shape: TorchSharp would have written every tensor
    /// before it; the layout is checked against the network first, so none is, and the message names the tensor.
    /// </summary>
    [Fact]
    public void AWeightsFileWhoseLastTensorDoesNotFitChangesNoWeight()
    {
        var path = Path.Combine(_folder, "misfit.bin");
        using var source = new NumericLabelModel.Trainer(Options);
        source.Fit(Samples);
        var entries = source.Network.state_dict().ToArray();
        var (last, lastTensor) = entries[^1];
        new ModelDsl.IO.ChecksummedFile("MODELDSL-WEIGHTS", 2, "weights file").Write(path, writer =>
        {
            writer.Write(NumericLabelModel.Schema.Fingerprint);
            writer.Write((byte)entries.Length);   // LEB128 of a count under 128
            foreach (var (name, tensor) in entries)
            {
                writer.Write(name);
                using var saved = name == last ? TorchSharp.torch.zeros(3, dtype: tensor.dtype) : tensor.detach();
                TorchSharp.TensorExtensionMethods.Save(saved, writer);
            }
        });
        using var trainer = new NumericLabelModel.Trainer(Options with { Seed = 2 });
        var before = Weights(trainer.Network);

        var error = Assert.Throws<ModelFileException>(() => trainer.Load(path));
        Assert.Equal($"The weights file '{path}' is truncated or damaged: its tensor '{last}' is {lastTensor.dtype} [3], but ModelDsl.Tests.Models.NumericLabelModel's is {lastTensor.dtype} [{lastTensor.shape[0]}].",
            error.Message);
        Assert.Equal(before, Weights(trainer.Network));
    }

    /// <summary>Keeps the first <paramref name="kept"/> of the file; resealed, the checksum of what is kept replaces it.</summary>
    private static void Cut(string path, double kept, bool resealed)
    {
        var bytes = File.ReadAllBytes(path);
        var content = resealed ? bytes[..^SHA256.HashSizeInBytes] : bytes;
        var cut = content[..(int)(content.Length * kept)];
        File.WriteAllBytes(path, resealed ? [.. cut, .. SHA256.HashData(cut)] : cut);
    }

    private static void Flip(string path, double at)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[(int)(bytes.Length * at)] ^= 0x10;
        File.WriteAllBytes(path, bytes);
    }

    private static byte[] Weights(MultiTaskNetwork network) =>
        network.state_dict().SelectMany(entry => entry.Value.bytes.ToArray()).ToArray();

    private static string Describe(TrainingReport report) => string.Join("\n", report.Epochs.Select(e =>
        $"{e.TrainLoss:R} {string.Join(" ", e.TaskLosses.Select(l => l.ToString("R")))} {string.Join(" ", e.TaskWeights.Select(w => w.ToString("R")))}"));

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
