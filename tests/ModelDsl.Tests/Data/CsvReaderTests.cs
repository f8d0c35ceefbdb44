using System;
using System.IO;
using System.Linq;
using System.Text;
using ModelDsl.Data;
using Xunit;

namespace ModelDsl.Tests.Data;

/// <summary>CSV files written by Sep read back exactly, through the contract generated code uses.</summary>
public sealed class CsvReaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-csv-").FullName;

    [Fact]
    public void RoundTripsEveryType()
    {
        var samples = DataSample.Generate(300, seed: 1);
        string path = Path.Combine(_folder, "samples.csv");
        DataFiles.WriteCsv(path, samples);

        DataSample.AssertEqual(samples, [.. DataFile.ReadCsv(path, DataSample.Columns, DataSample.Read)]);
    }

    [Fact]
    public void RoundTripsWithOtherSeparators()
    {
        var samples = DataSample.Generate(100, seed: 2);
        string path = Path.Combine(_folder, "samples.tsv");
        DataFiles.WriteCsv(path, samples, separator: '\t', arraySeparator: ';');

        var options = new CsvOptions { Separator = '\t', ArraySeparator = ';' };
        DataSample.AssertEqual(samples, [.. DataFile.ReadCsv(path, DataSample.Columns, DataSample.Read, options)]);
    }

    [Fact]
    public void ReadsLabelsAsZeroOneTrueOrFalseInAnyCaseOrNumbersZeroAndOne()
    {
        string path = Path.Combine(_folder, "labels.csv");
        File.WriteAllText(path, "Click\n0\n1\ntrue\nFALSE\nTrue\n1.0\n0.0\n");

        bool[] labels = [.. DataFile.ReadCsv(path, ["Click"], row => row.GetBoolean(0))];

        Assert.Equal([false, true, true, false, true, true, false], labels);
    }

    [Fact]
    public void NumbersMayHaveSignsExponentsAndSurroundingSpaces()
    {
        string path = Path.Combine(_folder, "numbers.csv");
        File.WriteAllText(path, "a,b,c\n+5, 1.5e3 ,-7\n");

        var row = DataFile.ReadCsv(path, ["a", "b", "c"], r => (r.GetInt32(0), r.GetDouble(1), r.GetInt64(2))).Single();

        Assert.Equal((5, 1500d, -7L), row);
    }

    [Fact]
    public void RowNumberCountsDataRowsNotLines()
    {
        string path = Path.Combine(_folder, "multiline.csv");
        File.WriteAllText(path, "Name\n\"two\nlines\"\nnext\n");

        var rows = DataFile.ReadCsv(path, ["Name"], r => (r.RowNumber, r.GetString(0))).ToList();

        Assert.Equal([(1L, "two\nlines"), (2L, "next")], rows);
    }

    [Fact]
    public void ReadsAByteOrderMarkAndWindowsLineEndings()
    {
        string path = Path.Combine(_folder, "windows.csv");
        File.WriteAllText(path, "id,Name\r\n1,x\r\n2,y\r\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        Assert.Equal([(1L, "x"), (2L, "y")], DataFile.ReadCsv(path, ["id", "Name"], r => (r.GetInt64(0), r.GetString(1))));
    }

    [Fact]
    public void AHeaderOnlyFileHasNoRows()
    {
        string path = Path.Combine(_folder, "empty.csv");
        File.WriteAllText(path, "a,b\n");

        Assert.Empty(DataFile.ReadCsv(path, ["b"], r => r.GetInt64(0)));
    }

    [Fact]
    public void RejectsAnArraySeparatorEqualToTheFieldSeparator() =>
        Assert.Throws<ArgumentException>(() => DataFile.ReadCsv("any.csv", ["a"], r => 0, new CsvOptions { ArraySeparator = ',' }));

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
