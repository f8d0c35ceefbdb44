using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl.Distributed;
using ModelDsl.Layers;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>Shards hold exactly the C# trainer's encoding, stream across chunk and shard boundaries, and are written atomically.</summary>
public sealed class ShardTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-shards-").FullName;

    [Fact]
    public void ShardsHoldTheTrainersEncodingAcrossChunksAndShards()
    {
        var samples = FeatureTypeSamples.Generate(23, seed: 5);
        using var trainer = new FeatureTypesModel.Trainer();
        var directory = Path.Combine(_folder, "train");
        // 23 rows in chunks of 5 and shards of 7: shards of 7, 7, 7, 2, each filled from two chunks.
        var manifest = Shards.Write(trainer, samples, directory, options: new ShardOptions { RowsPerShard = 7, ChunkRows = 5 });

        var expected = SampleTable.Encode(samples, FeatureTypesModel.Schema, trainer.Encoder, "sample", "samples");
        Assert.Equal([7L, 7, 7, 2], manifest.Shards.Select(s => s.Rows));
        Assert.Equal(23, manifest.Rows);
        Assert.Equal(new ShardColumns(expected.CategoricalWidth, expected.NumericWidth, expected.TaskCount), manifest.Columns);
        Assert.Equal(FeatureTypesModel.Schema.Fingerprint, manifest.Fingerprint);
        Assert.Equal(Json(manifest), Json(ShardManifest.Read(directory)));
        Assert.Equal(expected.Categorical[..(23 * expected.CategoricalWidth)], Concatenate<long>(directory, manifest, s => s.Categorical, "<i8", expected.CategoricalWidth));
        Assert.Equal(expected.Numeric[..(23 * expected.NumericWidth)], Concatenate<float>(directory, manifest, s => s.Numeric, "<f4", expected.NumericWidth));
        Assert.Equal(expected.Labels[..23], Concatenate<float>(directory, manifest, s => s.Labels, "<f4", 1));
        Assert.Equal(expected.Weights[..23], Concatenate<float>(directory, manifest, s => s.Weights, "<f4", 1));
        // Sequences stay −1-padded, as the trainer feeds them.
        Assert.Contains(-1L, expected.Categorical);
    }

    [Fact]
    public void TrainingShardsFixTheStandardizeStatisticsAsTheTrainerDoes()
    {
        var samples = FeatureTypeSamples.Generate(40, seed: 6);
        using var trainer = new FeatureTypesModel.Trainer();
        var manifest = Shards.Write(trainer, samples, Path.Combine(_folder, "train"), options: new ShardOptions { ChunkRows = 16 });

        using var reference = new FeatureTypesModel.Trainer();
        var table = SampleTable.Encode(samples, FeatureTypesModel.Schema, reference.Encoder, "sample", "samples");
        var transforms = reference.Network.modules().OfType<NumericTransforms>().Single();
        transforms.Fit([table.NumericRows]);
        var buffers = transforms.named_buffers().Where(b => b.name is "mean" or "scale").ToDictionary(b => b.name, b => b.buffer.data<float>().ToArray());
        Assert.NotNull(manifest.Statistics);
        Assert.Equal(buffers["mean"], manifest.Statistics.Mean);
        Assert.Equal(buffers["scale"], manifest.Statistics.Scale);
        Assert.Equal(40, manifest.Statistics.Rows);
        // The trainer's network now holds them, so its saved weights carry them to Python.
        Assert.False(trainer.Network.modules().OfType<NumericTransforms>().Single().NeedsStatistics);
    }

    [Fact]
    public void ValidationShardsLeaveTheStatisticsAlone()
    {
        using var trainer = new FeatureTypesModel.Trainer();
        var manifest = Shards.Write(trainer, FeatureTypeSamples.Generate(10, seed: 7), Path.Combine(_folder, "valid"), ShardRole.Validation);
        Assert.Null(manifest.Statistics);
        Assert.True(trainer.Network.modules().OfType<NumericTransforms>().Single().NeedsStatistics);
    }

    [Fact]
    public void ABadSampleFailsNamingItAndLeavesTheEarlierShardsIntact()
    {
        using var trainer = new ClickWatchModel.Trainer();
        var directory = Path.Combine(_folder, "train");
        var good = Shards.Write(trainer, new SyntheticData(1).Samples(30, seed: 1), directory, options: new ShardOptions { RowsPerShard = 8, ChunkRows = 4 });
        var bad = new SyntheticData(1).Samples(30, seed: 2);
        bad[17] = new ClickWatchModel { UserId = 200 };

        var error = Assert.Throws<ModelDataException>(() =>
            Shards.Write(trainer, bad, directory, options: new ShardOptions { RowsPerShard = 8, ChunkRows = 4 }));

        Assert.StartsWith("training sample at index 17: ClickWatchModel.UserId = 200 is outside its vocabulary", error.Message, StringComparison.Ordinal);
        Assert.Equal(Json(good), Json(ShardManifest.Read(directory)));
        Assert.Equal(["train"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void NoSamplesIsRefused()
    {
        using var trainer = new ClickWatchModel.Trainer();
        var error = Assert.Throws<ArgumentException>(() => Shards.Write(trainer, new List<ClickWatchModel>(), Path.Combine(_folder, "empty")));
        Assert.Equal("samples", error.ParamName);
        Assert.False(Directory.Exists(Path.Combine(_folder, "empty")));
    }

    private static string Json(ShardManifest manifest) => System.Text.Json.JsonSerializer.Serialize(manifest);

    private static T[] Concatenate<T>(string directory, ShardManifest manifest, Func<ShardFile, string> file, string descriptor, int width)
        where T : unmanaged
    {
        var values = new List<T>();
        foreach (var shard in manifest.Shards)
        {
            var (read, rows, readWidth, readDescriptor) = ShardNpy.Read<T>(Path.Combine(directory, file(shard)));
            Assert.Equal((shard.Rows, width, descriptor), (rows, readWidth, readDescriptor));
            Assert.Equal(rows * width, read.Length);
            values.AddRange(read);
        }
        return values.ToArray();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
