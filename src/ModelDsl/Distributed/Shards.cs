using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using ModelDsl.IO;
using ModelDsl.Layers;
using ModelDsl.Training;
using static TorchSharp.torch;

namespace ModelDsl.Distributed;

/// <summary>
/// Encodes samples once into shards that the Python trainer (src/ModelDsl/python) reads with numpy alone,
/// memory-mapped: per shard four <c>.npy</c> arrays (int64 categorical, float32 numeric, labels and sample
/// weights), plus a <see cref="ShardManifest"/>. The encoding is the C# trainer's own (the generated
/// encoder: hashing, vocabularies, −1-padded sequences), streamed in chunks, so data larger than memory works.
/// </summary>
public static class Shards
{
    /// <summary>
    /// Writes <paramref name="samples"/> (in memory, or streamed from the generated <c>ReadCsv</c>/<c>ReadParquet</c>)
    /// as a shard directory, atomically: a failed write leaves an earlier directory of that name intact.
    /// Training shards also learn the network's learned vocabularies (in a pass of their own) and fix its Standardize statistics when it has none yet, as
    /// <see cref="ModelTrainer{TSample}.Fit"/> does on its first training data; save the trainer's weights
    /// afterwards to hand them (and the initial weights) to Python.
    /// </summary>
    /// <param name="trainer">The model's trainer: its encoder, spec and network.</param>
    /// <param name="samples">The samples, read once.</param>
    /// <param name="directory">The shard directory to write (replaced if it exists).</param>
    /// <param name="role">Training or validation samples.</param>
    /// <param name="options">Shard and chunk sizes; null for the defaults.</param>
    /// <returns>The manifest written.</returns>
    /// <exception cref="ArgumentException">There are no samples.</exception>
    /// <exception cref="ModelDataException">A sample holds a value the model cannot take; the message names its 0-based index and the member (or the file, row and column when read from a file).</exception>
    public static ShardManifest Write<TSample>(ModelTrainer<TSample> trainer, IEnumerable<TSample> samples, string directory,
        ShardRole role = ShardRole.Training, ShardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new ShardOptions();
        options.Validate();
        var schema = trainer.Schema;
        var dataName = role == ShardRole.Training ? "training sample" : "validation sample";
        // Shards hold rows: learned vocabularies come from the first training samples, in a pass of their own, as in Fit.
        if (role == ShardRole.Training)
            trainer.LearnVocabularies(samples, nameof(samples));
        var transforms = trainer.Network.modules().OfType<NumericTransforms>().FirstOrDefault();
        ShardManifest? manifest = null;
        ShardDirectory.Write(directory, temp =>
        {
            var files = new List<ShardFile>();
            var pass = WriteChunks(SampleStream.Chunks(samples, schema, trainer.Encoder, dataName, options.ChunkRows), temp, options.RowsPerShard, files);
            // Statistics come from the first training data the network sees, in the trainer's own single pass.
            if (role == ShardRole.Training && transforms is { NeedsStatistics: true })
                transforms.Fit(pass);
            else
                foreach (var _ in pass)
                {
                }
            var rows = files.Sum(f => f.Rows);
            if (rows == 0)
                throw SampleTable.Empty(dataName, nameof(samples));
            manifest = new ShardManifest(ShardManifest.FormatName, ShardManifest.CurrentVersion, schema.Name, schema.Fingerprint, role,
                new ShardColumns(schema.CategoricalCount, schema.NumericCount, schema.Tasks.Count),
                schema.Features.Select(f => new ShardFeature(f.Name, f.Kind, f.Column, f.Size, f.Vocabulary)).ToArray(),
                schema.Tasks.Select(t => t.Name).ToArray(), rows,
                role == ShardRole.Training && transforms is not null ? Statistics(transforms) : null, files);
            AtomicFile.Write(Path.Combine(temp, ShardManifest.FileName), stream => JsonSerializer.Serialize(stream, manifest, ShardManifest.Json));
        });
        return manifest!;
    }

    /// <summary>Writes each chunk into the current shard (opening the next when one is full) and yields the chunk's numeric rows.</summary>
    private static IEnumerable<ReadOnlyMemory<float>> WriteChunks(IEnumerable<SampleTable> chunks, string folder, int rowsPerShard, List<ShardFile> files)
    {
        ShardWriter? shard = null;
        try
        {
            foreach (var table in chunks)
            {
                for (var start = 0; start < table.Rows;)
                {
                    shard ??= new ShardWriter(folder, files.Count, table);
                    var count = (int)Math.Min(table.Rows - start, rowsPerShard - shard.Rows);
                    shard.Append(table, start, count);
                    start += count;
                    if (shard.Rows == rowsPerShard)
                    {
                        files.Add(shard.Complete());
                        shard.Dispose();
                        shard = null;
                    }
                }
                yield return table.NumericRows;
            }
            if (shard is not null)
                files.Add(shard.Complete());
        }
        finally
        {
            shard?.Dispose();
        }
    }

    private static ShardStatistics Statistics(NumericTransforms transforms)
    {
        var buffers = transforms.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        return new ShardStatistics(buffers["mean"].data<float>().ToArray(), buffers["scale"].data<float>().ToArray(), buffers["rows"].item<double>());
    }

    /// <summary>The four arrays of one shard being written.</summary>
    private sealed class ShardWriter : IDisposable
    {
        private readonly string[] _names;
        private readonly ShardNpyFile<long> _categorical;
        private readonly ShardNpyFile<float> _numeric;
        private readonly ShardNpyFile<float> _labels;
        private readonly ShardNpyFile<float> _weights;

        public ShardWriter(string folder, int index, SampleTable layout)
        {
            var stem = string.Create(CultureInfo.InvariantCulture, $"part-{index:D5}");
            _names = [$"{stem}.categorical.npy", $"{stem}.numeric.npy", $"{stem}.labels.npy", $"{stem}.weights.npy"];
            _categorical = new(Path.Combine(folder, _names[0]), layout.CategoricalWidth);
            _numeric = new(Path.Combine(folder, _names[1]), layout.NumericWidth);
            _labels = new(Path.Combine(folder, _names[2]), layout.TaskCount);
            _weights = new(Path.Combine(folder, _names[3]), layout.TaskCount);
        }

        public long Rows => _labels.Rows;

        public void Append(SampleTable table, int start, int count)
        {
            _categorical.Append(table.Categorical.AsSpan(start * table.CategoricalWidth), count);
            _numeric.Append(table.Numeric.AsSpan(start * table.NumericWidth), count);
            _labels.Append(table.Labels.AsSpan(start * table.TaskCount), count);
            _weights.Append(table.Weights.AsSpan(start * table.TaskCount), count);
        }

        public ShardFile Complete()
        {
            _categorical.Complete();
            _numeric.Complete();
            _labels.Complete();
            _weights.Complete();
            return new ShardFile(Rows, _names[0], _names[1], _names[2], _names[3]);
        }

        public void Dispose()
        {
            _categorical.Dispose();
            _numeric.Dispose();
            _labels.Dispose();
            _weights.Dispose();
        }
    }
}
