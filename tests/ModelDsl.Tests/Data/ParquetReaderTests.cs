using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ModelDsl.Data;
using Parquet;
using Parquet.Schema;
using Xunit;

namespace ModelDsl.Tests.Data;

/// <summary>Parquet files written by Parquet.Net read back exactly, across row groups and column types.</summary>
public sealed class ParquetReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-parquet-").FullName;

    [Fact]
    public void RoundTripsEveryTypeInOneRowGroup()
    {
        var samples = DataSample.Generate(300, seed: 3);
        string path = Path.Combine(_folder, "samples.parquet");
        DataFiles.WriteParquet(path, samples);

        DataSample.AssertEqual(samples, [.. DataFile.ReadParquet(path, DataSample.Columns, DataSample.Read)]);
    }

    [Fact]
    public void RoundTripsAcrossRowGroupsWithRowNumbersRunningOn()
    {
        var samples = DataSample.Generate(100, seed: 4);
        string path = Path.Combine(_folder, "groups.parquet");
        DataFiles.WriteParquet(path, samples, rowGroupSize: 7);

        DataSample.AssertEqual(samples, [.. DataFile.ReadParquet(path, DataSample.Columns, DataSample.Read)]);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), DataFile.ReadParquet(path, ["ItemId"], r => r.RowNumber));
    }

    [Fact]
    public void WidensNarrowerColumnTypes()
    {
        string path = Path.Combine(_folder, "narrow.parquet");
        DataFiles.WriteParquet(path, [new NarrowRow { Delta = -3, Level = 200, Count = 7, Ratio = 0.1f, Flag = true, Ids = [1, 2] }]);

        var row = DataFile.ReadParquet(path, ["Delta", "Level", "Count", "Ratio", "Flag", "Ids"], r =>
            (r.GetInt64(0), r.GetInt32(1), r.GetSingle(2), r.GetDouble(3), r.GetBoolean(4), r.GetInt64Array(5), r.GetDoubleArray(5))).Single();

        Assert.Equal((-3L, 200, 7f, (double)0.1f, true), (row.Item1, row.Item2, row.Item3, row.Item4, row.Item5));
        Assert.Equal([1L, 2L], row.Item6);
        Assert.Equal([1d, 2d], row.Item7);
    }

    [Fact]
    public void ReadsIntegerLabelsAndNullableColumnsWithoutNulls()
    {
        string path = Path.Combine(_folder, "nullable.parquet");
        DataFiles.WriteParquet(path, [new NullableRow { Label = 1, Price = 2.5, Recent = [4, 5] }, new NullableRow { Label = 0, Price = -1, Recent = [] }]);

        var rows = DataFile.ReadParquet(path, ["Label", "Price", "Recent"], r => (r.GetBoolean(0), r.GetSingle(1), r.GetInt64Array(2))).ToList();

        Assert.Equal((true, 2.5f), (rows[0].Item1, rows[0].Item2));
        Assert.Equal([4L, 5L], rows[0].Item3);
        Assert.Equal((false, -1f), (rows[1].Item1, rows[1].Item2));
        Assert.Empty(rows[1].Item3);
    }

    [Fact]
    public async Task ReadsRepeatedPrimitiveColumns()
    {
        // The older two-level list encoding: a repeated field with no list group around it.
        string path = Path.Combine(_folder, "repeated.parquet");
        var ids = new DataField("Ids", typeof(long), isNullable: false, isArray: true);
        await using (FileStream stream = File.Create(path))
        await using (ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(ids), stream))
        {
            using ParquetRowGroupWriter group = writer.CreateRowGroup();
            await group.WriteAllPartsAsync<long>(ids, new long[] { 1, 2, 3 }, new[] { 1, 1, 0, 1 }, new[] { 0, 1, 0, 0 }, default);
            group.CompleteValidate();
        }

        long[][] rows = [.. DataFile.ReadParquet(path, ["Ids"], r => r.GetInt64Array(0))];

        Assert.Equal([[1L, 2L], [], [3L]], rows);
    }

    /// <summary>
    /// Unlike CSV, a Parquet string is decoded by Parquet.Net, which turns invalid UTF-8 into U+FFFD; the
    /// reader cannot tell that from a real U+FFFD (docs/data.md says so). Pinned here so that the docs change with it.
    /// </summary>
    [Fact]
    public async Task InvalidUtf8InAStringBecomesTheReplacementCharacter()
    {
        string path = Path.Combine(_folder, "latin1.parquet");
        var name = new DataField<string>("Name");
        await using (FileStream stream = File.Create(path))
        await using (ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(name), stream, new ParquetOptions { CompressionMethod = CompressionMethod.None }))
        {
            using ParquetRowGroupWriter group = writer.CreateRowGroup();
            await group.WriteAsync(name, new[] { "cafX" });
            group.CompleteValidate();
        }
        // The value, and its copies in the statistics: é in Latin-1.
        byte[] bytes = File.ReadAllBytes(path);
        for (int at = bytes.AsSpan().IndexOf("cafX"u8); at >= 0; at = bytes.AsSpan().IndexOf("cafX"u8))
            bytes[at + 3] = 0xE9;
        File.WriteAllBytes(path, bytes);

        Assert.Equal(["caf\uFFFD"], DataFile.ReadParquet(path, ["Name"], r => r.GetString(0)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Columns of the narrower Parquet types, read through the wider getters.</summary>
    public sealed class NarrowRow
    {
        public short Delta { get; set; }
        public byte Level { get; set; }
        public int Count { get; set; }
        public float Ratio { get; set; }
        public bool Flag { get; set; }
        public List<int> Ids { get; set; } = [];
    }

    /// <summary>Optional columns and list elements, as other writers (pandas, Spark) produce them.</summary>
    public sealed class NullableRow
    {
        public long? Label { get; set; }
        public double? Price { get; set; }
        public List<long?>? Recent { get; set; }
    }
}
