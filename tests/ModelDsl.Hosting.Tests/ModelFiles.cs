using System;
using System.IO;
using ModelDsl.Training;
using Quickstart;

namespace ModelDsl.Hosting.Tests;

/// <summary>A spec other than VideoRanker's: its file must never replace a VideoRanker.</summary>
[MultiTaskModel]
[SharedBottom(8)]
public partial class ForeignRanker
{
    [Categorical(Vocabulary = 10, Dim = 4)] public long ItemId { get; init; }

    [BinaryTask] public bool Click { get; init; }
}

/// <summary>
/// Model files exported once per test run: untrained VideoRankers (weights from the seed, so two seeds answer
/// differently), one that answers non-finite values for some candidates, a foreign spec, and a damaged file.
/// </summary>
public sealed class ModelFiles : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("modeldsl-hosting-models-");

    public ModelFiles()
    {
        A = Export(1);
        B = Export(2);
        NonFinite = Path.Combine(_folder.FullName, "non-finite.onnx");
        NonFiniteModel.Export(NonFinite);
        Foreign = Path.Combine(_folder.FullName, "foreign.onnx");
        using (var trainer = new ForeignRanker.Trainer())
            trainer.ExportOnnx(Foreign);
        Damaged = Path.Combine(_folder.FullName, "damaged.onnx");
        var bytes = File.ReadAllBytes(A);
        File.WriteAllBytes(Damaged, bytes[..(bytes.Length / 2)]);
    }

    /// <summary>Two VideoRankers of the same spec with different weights.</summary>
    public string A { get; }

    public string B { get; }

    /// <summary>A VideoRanker whose answers overflow to infinity or NaN for any candidate with VideoAgeDays ≥ 1, but are finite at 0.</summary>
    public string NonFinite { get; }

    /// <summary>A model of another spec.</summary>
    public string Foreign { get; }

    /// <summary>The first half of <see cref="A"/>.</summary>
    public string Damaged { get; }

    /// <summary>A fresh folder for one test's served file, removed with the fixture.</summary>
    public string NewFolder() => Directory.CreateDirectory(Path.Combine(_folder.FullName, Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Puts <paramref name="source"/>'s bytes at <paramref name="target"/> as a deployment should: a new file in the same folder, renamed over the old.</summary>
    public static void Replace(string target, string source)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        File.Copy(source, temporary);
        File.Move(temporary, target, overwrite: true);
    }

    private string Export(int seed)
    {
        var path = Path.Combine(_folder.FullName, $"video-ranker-{seed}.onnx");
        using var trainer = new VideoRanker.Trainer(new TrainingOptions { Seed = seed });
        trainer.ExportOnnx(path);
        return path;
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
