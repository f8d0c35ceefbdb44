using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ModelDsl.Data;
using Parquet;
using Parquet.Schema;
using Xunit;

namespace ModelDsl.Tests.Data;

/// <summary>The readers are lazy and stream: each enumeration reads the file anew, and memory does not follow the file's size.</summary>
public sealed class StreamingTests : IDisposable
{
    private const int BigRows = 300_000;
    private const int Features = 9;
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-stream-").FullName;

    public static TheoryData<string> Formats => ["csv", "parquet"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void EnumeratingTwiceReadsTheSameRows(string format)
    {
        var samples = DataSample.Generate(50, seed: 5);
        IEnumerable<DataSample> rows = Read(Write(format, samples), DataSample.Columns, DataSample.Read);

        DataSample.AssertEqual(samples, [.. rows]);
        DataSample.AssertEqual(samples, [.. rows]);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void EachEnumerationOpensTheFileAnew(string format)
    {
        string path = Write(format, DataSample.Generate(5, seed: 6));
        IEnumerable<long> ids = Read(path, ["user_id"], row => row.GetInt64(0));
        File.Delete(path);

        Assert.Throws<FileNotFoundException>(() => ids.First());

        var replacement = DataSample.Generate(3, seed: 7);
        Write(format, replacement);
        Assert.Equal(replacement.Select(s => s.UserId), ids);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void AStoppedEnumerationClosesTheFile(string format)
    {
        string path = Write(format, DataSample.Generate(5, seed: 8));
        using (IEnumerator<long> open = Read(path, ["user_id"], row => row.GetInt64(0)).GetEnumerator())
        {
            Assert.True(open.MoveNext());
            // .NET locks files on Unix too: an exclusive open fails while the reader holds the file.
            Assert.Throws<IOException>(OpenExclusively(path));
        }
        OpenExclusively(path)();
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task ABigFileStreamsInBoundedMemory(string format)
    {
        string path = Path.Combine(_folder, "big." + format);
        if (format == "csv")
            WriteBigCsv(path);
        else
            await WriteBigParquet(path, rowGroupSize: 10_000);
        string[] columns = ["id", .. Enumerable.Range(0, Features).Select(i => $"x{i}")];
        long fileSize = new FileInfo(path).Length;

        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0, rows = 0;
        double sum = 0;
        foreach (double value in Read(path, columns, row => row.GetInt64(0) + row.GetSingle(1) + row.GetDouble(Features)))
        {
            sum += value;
            if (++rows % 50_000 == 0)
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        }

        Assert.Equal(BigRows, rows);
        Assert.True(double.IsFinite(sum));
        Assert.True(peak < fileSize / 5, $"memory grew by {peak / 1024} KiB while reading a {fileSize / 1024} KiB file");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string format, IEnumerable<DataSample> samples)
    {
        string path = Path.Combine(_folder, "samples." + format);
        if (format == "csv")
            DataFiles.WriteCsv(path, samples);
        else
            DataFiles.WriteParquet(path, samples);
        return path;
    }

    private static IEnumerable<T> Read<T>(string path, IReadOnlyList<string> columns, Func<DataRow, T> read) =>
        path.EndsWith(".csv", StringComparison.Ordinal) ? DataFile.ReadCsv(path, columns, read) : DataFile.ReadParquet(path, columns, read);

    private static Action OpenExclusively(string path) => () => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose();

    private static void WriteBigCsv(string path)
    {
        var random = new Random(9);
        using var writer = new StreamWriter(path);
        writer.WriteLine("id," + string.Join(',', Enumerable.Range(0, Features).Select(i => $"x{i}")));
        for (int row = 0; row < BigRows; row++)
        {
            writer.Write(row.ToString(CultureInfo.InvariantCulture));
            for (int i = 0; i < Features; i++)
            {
                writer.Write(',');
                writer.Write((random.NextDouble() * 100).ToString("F3", CultureInfo.InvariantCulture));
            }
            writer.WriteLine();
        }
    }

    private static async Task WriteBigParquet(string path, int rowGroupSize)
    {
        var random = new Random(10);
        var id = new DataField<long>("id");
        DataField<double>[] features = [.. Enumerable.Range(0, Features).Select(i => new DataField<double>($"x{i}"))];
        await using FileStream stream = File.Create(path);
        await using ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema([id, .. features]), stream);
        for (int start = 0; start < BigRows; start += rowGroupSize)
        {
            using ParquetRowGroupWriter group = writer.CreateRowGroup();
            long[] ids = [.. Enumerable.Range(start, rowGroupSize).Select(i => (long)i)];
            await group.WriteAsync<long>(id, ids);
            foreach (DataField<double> feature in features)
            {
                double[] values = [.. Enumerable.Range(0, rowGroupSize).Select(_ => random.NextDouble())];
                await group.WriteAsync<double>(feature, values);
            }
            group.CompleteValidate();
        }
    }
}
