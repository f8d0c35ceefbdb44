using System;
using System.IO;
using System.Linq;
using ModelDsl.Data;
using Xunit;

namespace ModelDsl.Tests.Data;

/// <summary>Each kind of bad CSV fails with a message naming the file, the row and the column.</summary>
public sealed class CsvErrorTests : IDisposable
{
    private const string Header = "id,Price,Click,Recent,Name\n";
    private const string GoodRow = "1,2.5,1,3|4,a\n";
    private static readonly string[] Columns = ["id", "Price", "Click", "Recent", "Name"];
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-csv-errors-").FullName;
    private readonly string _path;

    public CsvErrorTests() => _path = Path.Combine(_folder, "data.csv");

    [Fact]
    public void MissingFile()
    {
        var error = Assert.Throws<FileNotFoundException>(() => DataFile.ReadCsv(_path, Columns, ReadAll).ToList());
        Assert.Contains(_path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingColumnListsTheHeader() =>
        Assert.Equal($"{_path}: column 'Cost' is missing; the header has: 'id', 'Price', 'Click', 'Recent', 'Name'.",
            Error(Header + GoodRow, ["id", "Cost"], row => row.GetSingle(1)));

    [Fact]
    public void EmptyFileHasNoColumns() =>
        Assert.Equal($"{_path}: column 'id' is missing; the header has no columns.", Error("", Columns, ReadAll));

    [Fact]
    public void DuplicateHeaderColumn()
    {
        string message = Error("id,id\n1,2\n", ["id"], row => row.GetInt64(0));
        Assert.StartsWith($"{_path}: the header cannot be read:", message, StringComparison.Ordinal);
        Assert.Contains("'id'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void RaggedRowNamesBothCounts() =>
        Assert.Equal($"{_path}, row 3: the row has 4 fields but the header has 5.", Error(Header + GoodRow + GoodRow + "1,2,3,4\n", Columns, ReadAll));

    [Theory]
    [InlineData("abc", "'abc' is not a number")]
    [InlineData("1,5", "'1,5' is not a number")]
    [InlineData("", "the value is empty")]
    [InlineData("NaN", "'NaN' is not a finite number")]
    [InlineData("-Infinity", "'-Infinity' is not a finite number")]
    [InlineData("1e39", "'1e39' is outside the Single range")]
    public void BadNumber(string price, string problem) =>
        Assert.Equal($"{_path}, row 2, column 'Price': {problem}.", Error(Header + GoodRow + $"2,\"{price}\",0,,b\n", Columns, ReadAll));

    [Fact]
    public void NonFiniteDouble() =>
        Assert.Equal($"{_path}, row 1, column 'Price': 'Infinity' is not a finite number.",
            Error(Header + "1,Infinity,1,,a\n", ["Price"], row => row.GetDouble(0)));

    [Theory]
    [InlineData("1.5", "'1.5' is not an integer")]
    [InlineData("3000000000", "'3000000000' is outside the Int32 range")]
    [InlineData("99999999999999999999", "'99999999999999999999' is outside the Int32 range")]
    public void BadInt32(string id, string problem) =>
        Assert.Equal($"{_path}, row 1, column 'id': {problem}.", Error(Header + $"{id},1,1,,a\n", ["id"], row => row.GetInt32(0)));

    [Fact]
    public void Int64OutOfRange() =>
        Assert.Equal($"{_path}, row 1, column 'id': '99999999999999999999' is outside the Int64 range.",
            Error(Header + "99999999999999999999,1,1,,a\n", ["id"], row => row.GetInt64(0)));

    [Theory]
    [InlineData("2")]
    [InlineData("0.5")]
    [InlineData("yes")]
    public void LabelNotZeroOrOne(string label) =>
        Assert.Equal($"{_path}, row 2, column 'Click': '{label}' is not a binary label: it must be 0 or 1.",
            Error(Header + GoodRow + $"2,1,{label},,b\n", Columns, ReadAll));

    [Theory]
    [InlineData("3|x|5", "element 2 of 3, 'x', is not an integer")]
    [InlineData("3||5", "element 2 of 3 is empty")]
    [InlineData("3|", "element 2 of 2 is empty")]
    public void BadArrayElement(string recent, string problem) =>
        Assert.Equal($"{_path}, row 2, column 'Recent': {problem}.", Error(Header + GoodRow + $"2,1,0,{recent},b\n", Columns, ReadAll));

    [Fact]
    public void NonFiniteArrayElement() =>
        Assert.Equal($"{_path}, row 1, column 'Recent': element 1 of 2, 'NaN', is not a finite number.",
            Error(Header + "1,1,1,NaN|1,a\n", ["Recent"], row => row.GetSingleArray(0)));

    [Fact]
    public void LongCellsAreShortenedInMessages()
    {
        string cell = new('x', 100);
        Assert.Equal($"{_path}, row 1, column 'Name': '{cell[..60]}…' is not a number.",
            Error(Header + $"1,1,1,,{cell}\n", ["Name"], row => row.GetDouble(0)));
    }

    [Fact]
    public void DirectoryIsNoFile()
    {
        var error = Assert.Throws<FileNotFoundException>(() => DataFile.ReadCsv(_folder, Columns, ReadAll).ToList());
        Assert.Equal($"Could not find file '{_folder}': it is a directory.", error.Message);
    }

    [Fact]
    public void BlankLinesAreSkippedButCounted()
    {
        File.WriteAllText(_path, Header + GoodRow + "\n" + GoodRow + "\n");
        Assert.Equal([1L, 3L], DataFile.ReadCsv(_path, Columns, row => row.RowNumber).ToList());
        Assert.Equal($"{_path}, row 4: the row has 4 fields but the header has 5.", Error(Header + GoodRow + "\n" + GoodRow + "1,2,3,4\n", Columns, ReadAll));
    }

    [Fact]
    public void RowTooLongToRead() =>
        Assert.Equal($"{_path}, row 2: the row is longer than the 16M characters that can be read; a quote left unterminated makes the rest of the file one field.",
            Error(Header + GoodRow + "2,\"" + new string('x', 17 << 20), Columns, ReadAll));

    [Fact]
    public void HeaderTooLongToRead() =>
        Assert.StartsWith($"{_path}: the header cannot be read: Buffer or row has reached maximum supported length",
            Error("id,\"" + new string('x', 17 << 20), Columns, ReadAll), StringComparison.Ordinal);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static object ReadAll(DataRow row) =>
        (row.GetInt64(0), row.GetSingle(1), row.GetBoolean(2), row.GetInt64Array(3), row.GetString(4));

    private string Error(string text, string[] columns, Func<DataRow, object> read)
    {
        File.WriteAllText(_path, text);
        return Assert.Throws<ModelDataException>(() => DataFile.ReadCsv(_path, columns, read).ToList()).Message;
    }
}
