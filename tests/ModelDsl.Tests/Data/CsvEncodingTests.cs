using System;
using System.IO;
using System.Linq;
using System.Text;
using ModelDsl.Data;
using Xunit;

namespace ModelDsl.Tests.Data;

/// <summary>CSV files are UTF-8: invalid bytes in a cell that is read are an error naming the cell, never a silent U+FFFD.</summary>
public sealed class CsvEncodingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-csv-encoding-").FullName;
    private readonly string _path;

    public CsvEncodingTests() => _path = Path.Combine(_folder, "data.csv");

    [Fact]
    public void InvalidUtf8InACellReadIsAnErrorNamingFileRowColumnAndByte()
    {
        // "café" saved as Latin-1: 0xE9 alone is not UTF-8.
        Write([.. "query,Price\nhats,1\ncaf"u8, 0xE9, .. ",2\n"u8]);
        Assert.Equal($"{_path}, row 2, column 'query': the text is not valid UTF-8: byte 0xE9 follows 'caf' (as in a file saved as Latin-1 or Windows-1252); save the file as UTF-8.",
            Assert.Throws<ModelDataException>(() => DataFile.ReadCsv(_path, ["query", "Price"], r => (r.GetString(0), r.GetInt32(1))).ToList()).Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, "byte 0xFF starts the text")]
    [InlineData(new byte[] { 0xC3 }, "byte 0xC3 starts the text")] // the start of a two-byte character, cut off
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, "byte 0xED starts the text")] // an encoded surrogate
    public void InvalidSequences(byte[] bytes, string problem)
    {
        Write([.. "n,Name\n1,"u8, .. bytes, .. "\n"u8]);
        var error = Assert.Throws<ModelDataException>(() => DataFile.ReadCsv(_path, ["Name"], r => r.GetStringArray(0)).ToList());
        Assert.StartsWith($"{_path}, row 1, column 'Name': the text is not valid UTF-8: {problem}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8InAColumnNotReadIsIgnored()
    {
        Write([.. "query,Price\n"u8, 0xE9, .. ",2\n"u8]);
        Assert.Equal([2], DataFile.ReadCsv(_path, ["Price"], r => r.GetInt32(0)));
    }

    [Fact]
    public void ValidNonAsciiTextReadsExactly()
    {
        // Two-, three- and four-byte characters, and a real U+FFFD, which is valid text.
        const string Text = "café 日本 😀 \uFFFD";
        File.WriteAllText(_path, $"query,Price\n{Text},1\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Assert.Equal([Text], DataFile.ReadCsv(_path, ["query"], r => r.GetString(0)));
    }

    [Fact]
    public void InvalidUtf8InTheHeaderIsAnError()
    {
        Write([.. "id,caf"u8, 0xE9, .. "\n1,2\n"u8]);
        Assert.StartsWith($"{_path}: the header cannot be read: column 2: the text is not valid UTF-8: byte 0xE9 follows 'caf'",
            Assert.Throws<ModelDataException>(() => DataFile.ReadCsv(_path, ["id"], r => r.GetInt32(0)).ToList()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf16IsRefusedWithTheReason()
    {
        File.WriteAllText(_path, "id\n1\n", Encoding.Unicode);
        Assert.Equal($"{_path}: the file is UTF-16 or UTF-32 (it starts with a byte order mark); CSV files are read as UTF-8: save it as UTF-8.",
            Assert.Throws<ModelDataException>(() => DataFile.ReadCsv(_path, ["id"], r => r.GetInt32(0)).ToList()).Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void Write(byte[] bytes) => File.WriteAllBytes(_path, bytes);
}
