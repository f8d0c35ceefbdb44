using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace ModelDsl.Distributed;

/// <summary>
/// What a shard set holds, written as <c>manifest.json</c> beside its <c>.npy</c> files: the spec it was
/// encoded for, the column layout, the row counts and the files of each shard. The Python trainer checks it
/// against the spec before reading a row, so shards of another spec or layout are refused by name.
/// </summary>
/// <param name="Format">Always <see cref="FormatName"/>.</param>
/// <param name="Version">The format version, <see cref="CurrentVersion"/>.</param>
/// <param name="Model">The model's full name.</param>
/// <param name="Fingerprint">The spec fingerprint the samples were encoded for.</param>
/// <param name="Role">Training or validation samples.</param>
/// <param name="Columns">Widths of the four arrays of every shard.</param>
/// <param name="Features">Where each feature's columns are.</param>
/// <param name="Tasks">Task names, in label column order.</param>
/// <param name="Rows">Rows of all shards together.</param>
/// <param name="Statistics">The Standardize statistics training uses (training shards with numeric columns), or null.</param>
/// <param name="Shards">Each shard's rows and file names, in sample order.</param>
public sealed record ShardManifest(
    string Format,
    int Version,
    string Model,
    string Fingerprint,
    ShardRole Role,
    ShardColumns Columns,
    IReadOnlyList<ShardFeature> Features,
    IReadOnlyList<string> Tasks,
    long Rows,
    ShardStatistics? Statistics,
    IReadOnlyList<ShardFile> Shards)
{
    /// <summary>The manifest's file name in a shard directory.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string FormatName = "ModelDsl shards";

    /// <summary>The format version this library writes.</summary>
    public const int CurrentVersion = 1;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Reads the manifest of a shard directory.</summary>
    /// <exception cref="ModelFileException">The directory has no readable manifest.</exception>
    public static ShardManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new ModelFileException($"'{directory}' is not a ModelDsl shard directory: it has no {FileName}.");
        try
        {
            var manifest = JsonSerializer.Deserialize<ShardManifest>(File.ReadAllText(path), Json);
            return manifest is { Format: FormatName } ? manifest : throw new ModelFileException($"'{path}' is not a ModelDsl shard manifest.");
        }
        catch (JsonException e)
        {
            throw new ModelFileException($"The shard manifest '{path}' is damaged: {e.Message}", e);
        }
    }
}

/// <summary>Which samples a shard set holds. Training shards fix the Standardize statistics, as the trainer's first training data does.</summary>
public enum ShardRole
{
    /// <summary>Training samples.</summary>
    Training,

    /// <summary>Validation samples.</summary>
    Validation,
}

/// <summary>Widths of a shard's arrays: int64 categorical [rows, Categorical], float32 numeric [rows, Numeric], float32 labels and sample weights [rows, Tasks].</summary>
public sealed record ShardColumns(int Categorical, int Numeric, int Tasks);

/// <summary>One feature's columns: from <paramref name="Column"/>, <paramref name="Size"/> of them, in the array of its kind.</summary>
public sealed record ShardFeature(string Name, FeatureKind Kind, int Column, int Size, int Vocabulary);

/// <summary>The statistics of the numeric transforms: per column mean and 1/std (0 and 1 for columns not standardized), over <paramref name="Rows"/> training rows.</summary>
public sealed record ShardStatistics(IReadOnlyList<float> Mean, IReadOnlyList<float> Scale, double Rows);

/// <summary>One shard: its rows and its four <c>.npy</c> files, relative to the directory.</summary>
public sealed record ShardFile(long Rows, string Categorical, string Numeric, string Labels, string Weights);
