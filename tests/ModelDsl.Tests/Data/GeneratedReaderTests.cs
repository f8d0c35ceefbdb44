using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Serialization;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using nietras.SeparatedValues;
using Xunit;

namespace ModelDsl.Tests.Data;

/// <summary>
/// The generated <c>ReadCsv</c>/<c>ReadParquet</c>: typed samples written to files and read back give
/// the same model inputs; training streams from a file; bad data stops training with file, row and column.
/// </summary>
public sealed class GeneratedReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-generated-readers-").FullName;

    [Fact]
    public void CsvRoundTripGivesTheSameModelInputs()
    {
        var samples = FeatureTypeSamples.Generate(500, seed: 11);
        var path = Path.Combine(_folder, "samples.csv");
        WriteCsv(path, samples);
        AssertSameInputs(samples, FeatureTypesModel.ReadCsv(path).ToList());
    }

    [Fact]
    public void ParquetRoundTripGivesTheSameModelInputs()
    {
        var samples = FeatureTypeSamples.Generate(500, seed: 12);
        var path = Path.Combine(_folder, "samples.parquet");
        DataFiles.WriteParquet(path, samples.Select(FeatureRow.From), rowGroupSize: 128);
        AssertSameInputs(samples, FeatureTypesModel.ReadParquet(path).ToList());
    }

    [Fact]
    public void ColumnsAreMemberNamesOrColumnAttributes() =>
        Assert.Equal(["ItemId", "RecentItems", "Tags", "Queries", "Country", "City", "Device", "WatchCount", "Age", "Counts", "clicked"], FeatureTypesModel.DataColumns);

    [Fact]
    public void StreamingFromAFileTrainsLikeInMemoryWhenOneChunkHoldsIt()
    {
        var samples = FeatureTypeSamples.Generate(1200, seed: 13);
        var path = Path.Combine(_folder, "train.csv");
        WriteCsv(path, samples);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 64, LearningRate = 1e-2 };

        using var inMemory = new FeatureTypesModel.Trainer(options);
        var expected = inMemory.Fit(samples);
        using var streamed = new FeatureTypesModel.Trainer(options with { StreamChunkRows = 10_000 });
        var actual = streamed.Fit(FeatureTypesModel.ReadCsv(path));
        Assert.Equal(expected.Epochs.Select(e => e.TrainLoss), actual.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(expected.Final["Click"].Auc, actual.Final["Click"].Auc);

        // Small chunks: shuffled within each, still learning; every row seen once per epoch.
        using var chunked = new FeatureTypesModel.Trainer(options with { StreamChunkRows = 100, Epochs = 4 });
        var steps = new List<TrainingProgress>();
        var report = chunked.Fit(FeatureTypesModel.ReadCsv(path), progress: new Progress(steps));
        Assert.Equal(1200, report.Final["Click"].Count);
        // Chunks of 128 rows (whole batches): 9 full chunks and 48 rows, 2 + … = 19 steps per epoch.
        Assert.Equal(19, steps.Last(p => p.Completed is null && p.Epoch == 2).Step);
        Assert.Equal(19, steps.First(p => p.Epoch == 2).Steps);
        Assert.True(report.Final["Click"].Auc > 0.7, $"AUC {report.Final["Click"].Auc}");
    }

    [Fact]
    public void BadValueInAFileStopsTrainingNamingFileRowAndColumn()
    {
        var path = Path.Combine(_folder, "bad.csv");
        WriteCsv(path, FeatureTypeSamples.Generate(300, seed: 14));
        var lines = File.ReadAllLines(path);
        var age = Array.IndexOf(lines[0].Split(','), "Age");
        var cells = lines[201].Split(',');
        cells[age] = "n/a";
        lines[201] = string.Join(',', cells);
        File.WriteAllLines(path, lines);

        using var trainer = new FeatureTypesModel.Trainer(new TrainingOptions { Epochs = 1, BatchSize = 64, StreamChunkRows = 64 });
        var error = Assert.Throws<ModelDataException>(() => trainer.Fit(FeatureTypesModel.ReadCsv(path)));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("row 201", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Age'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'n/a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SequenceTooLongInAFileNamesTheSample()
    {
        var path = Path.Combine(_folder, "long.csv");
        WriteCsv(path, [.. FeatureTypeSamples.Generate(10, seed: 15), FeatureTypeSamples.Generate(1, seed: 16)[0] with { Tags = [1, 2, 3, 4, 5, 6] }]);
        using var trainer = new FeatureTypesModel.Trainer(new TrainingOptions { Epochs = 1, StreamChunkRows = 4 });
        var error = Assert.Throws<ModelDataException>(() => trainer.Fit(FeatureTypesModel.ReadCsv(path)));
        Assert.Equal("training sample at index 10: FeatureTypesModel.Tags has 6 values, more than its MaxLength of 4; shorten it or set Truncation = KeepFirst or KeepLast.", error.Message);
    }

    [Fact]
    public void HeaderOnlyFileIsAnEmptyTrainingSet()
    {
        var path = Path.Combine(_folder, "empty.csv");
        File.WriteAllText(path, string.Join(',', FeatureTypesModel.DataColumns) + "\n");
        using var trainer = new FeatureTypesModel.Trainer(new TrainingOptions { Epochs = 1 });
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(FeatureTypesModel.ReadCsv(path)));
        Assert.Equal("train", error.ParamName);
    }

    private static void AssertSameInputs(IReadOnlyList<FeatureTypesModel> expected, IReadOnlyList<FeatureTypesModel> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        var schema = FeatureTypesModel.Schema;
        for (var i = 0; i < expected.Count; i++)
        {
            var (a, b) = (Encode(expected[i]), Encode(actual[i]));
            Assert.Equal(a.Ids, b.Ids);
            Assert.Equal(a.Numbers, b.Numbers);
            Assert.Equal(expected[i].Click, actual[i].Click);
        }

        static (long[] Ids, float[] Numbers) Encode(FeatureTypesModel sample)
        {
            var ids = new long[FeatureTypesModel.Schema.CategoricalCount];
            var numbers = new float[FeatureTypesModel.Schema.NumericCount];
            sample.ToFeatures().Encode(ids, numbers);
            return (ids, numbers);
        }
    }

    /// <summary>Writes samples with Sep, numbers in round-trip format, arrays joined by '|'.</summary>
    private static void WriteCsv(string path, IEnumerable<FeatureTypesModel> samples)
    {
        using var writer = Sep.New(',').Writer(o => o with { Escape = true }).ToFile(path);
        foreach (var s in samples)
        {
            using var row = writer.NewRow();
            row["ItemId"].Format(s.ItemId);
            row["RecentItems"].Set(string.Join('|', s.RecentItems));
            row["Tags"].Set(string.Join('|', s.Tags));
            row["Queries"].Set(string.Join('|', s.Queries));
            row["Country"].Set(s.Country);
            row["City"].Format(s.City);
            row["Device"].Format(s.Device);
            row["WatchCount"].Set(s.WatchCount.ToString("R", CultureInfo.InvariantCulture));
            row["Age"].Set(s.Age.ToString("R", CultureInfo.InvariantCulture));
            row["Counts"].Set(string.Join('|', s.Counts.Select(c => c.ToString("R", CultureInfo.InvariantCulture))));
            row["clicked"].Set(s.Click ? "1" : "0");
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class Progress(List<TrainingProgress> reports) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => reports.Add(value);
    }

    /// <summary>The Parquet file's row: the model's members, the label column renamed as the model's [Column] says.</summary>
    public sealed class FeatureRow
    {
        public long ItemId { get; set; }
        public List<long> RecentItems { get; set; } = [];
        public List<int> Tags { get; set; } = [];
        public List<string> Queries { get; set; } = [];
        public string Country { get; set; } = "";
        public int City { get; set; }
        public long Device { get; set; }
        public float WatchCount { get; set; }
        public double Age { get; set; }
        public List<float> Counts { get; set; } = [];
        [JsonPropertyName("clicked")] public bool Click { get; set; }

        public static FeatureRow From(FeatureTypesModel s) => new()
        {
            ItemId = s.ItemId, RecentItems = [.. s.RecentItems], Tags = [.. s.Tags], Queries = [.. s.Queries], Country = s.Country,
            City = s.City, Device = s.Device, WatchCount = s.WatchCount, Age = s.Age, Counts = [.. s.Counts], Click = s.Click,
        };
    }
}
