using System;
using System.IO;
using System.Linq;
using System.Text;
using ModelDsl.Data;
using Xunit;

namespace ModelDsl.Tests.Data;

/// <summary>
/// Quotes mean what they mean to Python's csv module: a quote opens a quoted field only at the start of a
/// field, anywhere else it is a literal character, so a logged <c>12" pizza</c> never merges rows.
/// </summary>
public sealed class CsvQuoteTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-csv-quotes-").FullName;
    private readonly string _path;

    public CsvQuoteTests() => _path = Path.Combine(_folder, "queries.csv");

    [Fact]
    public void StrayQuotesInUnquotedFieldsAreLiteral()
    {
        // Sep alone pairs the two stray quotes and returns 2 rows, the first query spanning four lines.
        Assert.Equal([("ab\"c", 1.5f, true), ("hats", 2f, false), ("socks", 3f, false), ("x\"y", 4f, true), ("bags", 5f, false)],
            Read("query,Price,Click\nab\"c,1.5,1\nhats,2,0\nsocks,3,0\nx\"y,4,1\nbags,5,0\n"));
    }

    [Fact]
    public void ASingleStrayQuoteIsLiteral() =>
        Assert.Equal([("12\" pizza", 1.5f, true), ("hats", 2f, false)], Read("query,Price,Click\n12\" pizza,1.5,1\nhats,2,0\n"));

    [Theory]
    [InlineData("x\"", "x\"")]
    [InlineData("x\"\"", "x\"\"")]
    [InlineData("\"x\"", "x")]
    public void AQuoteAtTheVeryEndOfTheFile(string last, string expected)
    {
        File.WriteAllText(_path, "query,Price\nhats,2\n1," + last);
        Assert.Equal([("hats", "2"), ("1", expected)], DataFile.ReadCsv(_path, ["query", "Price"], r => (r.GetString(0), r.GetString(1))));
    }

    [Fact]
    public void CarriageReturnOnlyLineEndings() =>
        Assert.Equal([("ab\"c", 1.5f, true), ("hats", 2f, false), ("\"q\"", 3f, false)],
            Read("query,Price,Click\rab\"c,1.5,1\rhats,2,0\r\"\"\"q\"\"\",3,0\r"));

    [Fact]
    public void QuotedFieldsKeepSeparatorsLineBreaksAndDoubledQuotes() =>
        Assert.Equal([("a,b", 1f, true), ("say \"hi\"", 2f, false), ("two\nlines", 3f, true), ("", 4f, false), ("\"", 5f, true)],
            Read("query,Price,Click\n\"a,b\",1,1\n\"say \"\"hi\"\"\",\"2\",0\n\"two\nlines\",3,1\n\"\",4,0\n\"\"\"\",5,1\n"));

    [Theory]
    [InlineData("ab\"\"c", "ab\"\"c")]
    [InlineData("\"a\"b", "ab")]
    [InlineData("\"a\"b\"c", "ab\"c")]
    [InlineData("\"a\"\"\"b\"", "a\"b\"")]
    [InlineData(" \"a\"", " \"a\"")]
    public void QuotesOutsideTheStartOfAFieldAreTakenAsPythonsCsvModuleTakesThem(string cell, string expected)
    {
        File.WriteAllText(_path, $"query,Price\n{cell},1\nnext,2\n");
        Assert.Equal([(expected, 1L), ("next", 2L)], DataFile.ReadCsv(_path, ["query", "Price"], r => (r.GetString(0), r.GetInt64(1))));
    }

    [Fact]
    public void StrayAndEscapedQuotesAcrossReadBuffers()
    {
        // Enough rows that quotes fall on every position of the reader's 64K buffers.
        var text = new StringBuilder("query,n\n");
        for (var i = 0; i < 30_000; i++)
            text.Append(i % 2 == 0 ? $"{i}\" pizza,{i}\n" : $"\"say \"\"{i}\"\"\",{i}\n");
        File.WriteAllText(_path, text.ToString());

        var rows = DataFile.ReadCsv(_path, ["query", "n"], r => (r.GetString(0), r.GetInt32(1))).ToList();

        Assert.Equal(30_000, rows.Count);
        Assert.All(rows.Select((row, i) => (row, i)), x => Assert.Equal((x.i % 2 == 0 ? $"{x.i}\" pizza" : $"say \"{x.i}\"", x.i), x.row));
    }

    [Fact]
    public void QuotedAndStrayQuotedHeaderNames()
    {
        File.WriteAllText(_path, "\"query\",size\"s,\"a,b\"\nhats,2,3\n");
        Assert.Equal([("hats", 2L, 3L)], DataFile.ReadCsv(_path, ["query", "size\"s", "a,b"], r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2))));
    }

    [Fact]
    public void AQuotedFieldLeftOpenIsAnErrorNamingItsRow()
    {
        File.WriteAllText(_path, "query,Price,Click\nhats,2,0\n\"socks,3,0\nbags,5,0\n");
        Assert.Equal($"{_path}, row 2: a quoted field is not closed: its opening quote has no closing quote before the end of the file.",
            Assert.Throws<ModelDataException>(() => Read(null)).Message);
    }

    [Fact]
    public void AHeaderLeftOpenCannotBeRead()
    {
        File.WriteAllText(_path, "query,\"Price,Click\nhats,2,0\n");
        Assert.Equal($"{_path}: the header cannot be read: a quoted field is not closed: its opening quote has no closing quote before the end of the file.",
            Assert.Throws<ModelDataException>(() => Read(null)).Message);
    }

    [Fact]
    public void NamesThatOnlyQuotesTellApartAreADuplicate()
    {
        File.WriteAllText(_path, "query,\"query\"\nhats,socks\n");
        Assert.Equal($"{_path}: the header cannot be read: columns 1 and 2 are both named 'query'.",
            Assert.Throws<ModelDataException>(() => DataFile.ReadCsv(_path, ["query"], r => r.GetString(0)).ToList()).Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (string, float, bool)[] Read(string? text)
    {
        if (text is not null)
            File.WriteAllText(_path, text);
        return [.. DataFile.ReadCsv(_path, ["query", "Price", "Click"], r => (r.GetString(0), r.GetSingle(1), r.GetBoolean(2)))];
    }
}
