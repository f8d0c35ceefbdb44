using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl.Data;
using Xunit;

namespace ModelDsl.Tests.Data;

/// <summary>Each kind of bad Parquet data fails with a message naming the file, the row and the column.</summary>
public sealed class ParquetErrorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-parquet-errors-").FullName;
    private readonly string _path;

    public ParquetErrorTests() => _path = Path.Combine(_folder, "data.parquet");

    [Fact]
    public void MissingFile()
    {
        var error = Assert.Throws<FileNotFoundException>(() => DataFile.ReadParquet(_path, ["Label"], row => row.GetBoolean(0)).ToList());
        Assert.Contains(_path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAParquetFile()
    {
        File.WriteAllText(_path, "id,Price\n1,2\n");
        var error = Assert.Throws<ModelDataException>(() => DataFile.ReadParquet(_path, ["id"], row => row.GetInt64(0)).ToList());
        Assert.StartsWith($"{_path}: not a readable Parquet file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DirectoryIsNoFile()
    {
        var error = Assert.Throws<FileNotFoundException>(() => DataFile.ReadParquet(_folder, ["Label"], row => row.GetBoolean(0)).ToList());
        Assert.Equal($"Could not find file '{_folder}': it is a directory.", error.Message);
    }

    [Theory]
    [InlineData(0, "not a readable Parquet file")]
    [InlineData(4, "row group 1 (from row 1): cannot be read")]
    public void DamagedByte(int position, string problem)
    {
        byte[] bytes = WriteForDamage();
        bytes[position] ^= 0xFF;
        File.WriteAllBytes(_path, bytes);
        Assert.StartsWith($"{_path}{(position == 0 ? ": " : ", ")}{problem}", ReadDamaged().Message, StringComparison.Ordinal);
    }

    /// <summary>A footer length beyond the file is refused before Parquet.Net allocates it (2 GB for int.MaxValue).</summary>
    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(int.MaxValue)]
    [InlineData(uint.MaxValue)]
    public void DamagedFooterLength(uint length)
    {
        byte[] bytes = WriteForDamage();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 8), length);
        File.WriteAllBytes(_path, bytes);
        string message = ReadDamaged().Message;
        Assert.StartsWith($"{_path}: not a readable Parquet file: ", message, StringComparison.Ordinal);
        if (length > bytes.Length)
            Assert.EndsWith($"the footer length, {length} bytes, is more than the file holds ({bytes.Length} bytes)", message, StringComparison.Ordinal);
    }

    /// <summary>Whatever byte a damage hits, reading fails with a message naming the file, or succeeds if the byte is unused or a value.</summary>
    [Fact]
    public void RandomDamageFailsNamingTheFile()
    {
        byte[] good = WriteForDamage();
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            byte[] bytes = (byte[])good.Clone();
            int position = random.Next(bytes.Length);
            bytes[position] ^= (byte)random.Next(1, 256);
            File.WriteAllBytes(_path, bytes);
            try
            {
                ReadAll();
            }
            catch (ModelDataException e)
            {
                Assert.StartsWith(_path, e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void MissingColumnListsTheFilesColumns() =>
        Assert.Equal($"{_path}: column 'Cost' is missing; the file has: 'Label', 'Price', 'Recent', 'Scores', 'Name', 'When'.",
            Error([Good()], "Cost", row => row.GetDouble(0)));

    /// <summary>Some writers (Spark, pyarrow) allow two fields of one name: which one is meant cannot be told.</summary>
    [Fact]
    public void DuplicatedColumnIsRefusedNamingIt()
    {
        // Written as Price and Prics, then renamed in the footer (the only place names are stored).
        DataFiles.WriteParquet(_path, [new TwinRow { Price = 1.5, Prics = 2.5, Label = 1 }]);
        byte[] bytes = File.ReadAllBytes(_path);
        int renamed = Replace(bytes, "Prics"u8, "Price"u8);
        Assert.True(renamed > 0);
        File.WriteAllBytes(_path, bytes);

        Assert.Equal($"{_path}: column 'Price' appears 2 times in the file; rename all but one.",
            Assert.Throws<ModelDataException>(() => DataFile.ReadParquet(_path, ["Price"], row => row.GetDouble(0)).ToList()).Message);
        Assert.Equal([1L], DataFile.ReadParquet(_path, ["Label"], row => row.GetInt64(0)));
    }

    [Fact]
    public void NullValue() =>
        Assert.Equal($"{_path}, row 3, column 'Price': the value is null.", Error([Good(), Good(), Good() with { Price = null }], "Price", row => row.GetDouble(0)));

    [Fact]
    public void NullList() =>
        Assert.Equal($"{_path}, row 2, column 'Recent': the list is null.", Error([Good(), Good() with { Recent = null }], "Recent", row => row.GetInt64Array(0)));

    [Fact]
    public void NullListElement() =>
        Assert.Equal($"{_path}, row 2, column 'Recent': element 2 is null.", Error([Good(), Good() with { Recent = [1, null, 3] }], "Recent", row => row.GetInt64Array(0)));

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void NonFiniteNumber(double price, string shown) =>
        Assert.Equal($"{_path}, row 2, column 'Price': {shown} is not a finite number.", Error([Good(), Good() with { Price = price }], "Price", row => row.GetSingle(0)));

    [Fact]
    public void DoubleTooLargeForSingle() =>
        Assert.Equal($"{_path}, row 1, column 'Price': 1E+300 is outside the Single range.", Error([Good() with { Price = 1e300 }], "Price", row => row.GetSingle(0)));

    [Fact]
    public void NonFiniteListElement() =>
        Assert.Equal($"{_path}, row 1, column 'Scores': element 2 of 2, NaN, is not a finite number.",
            Error([Good() with { Scores = [1, double.NaN] }], "Scores", row => row.GetDoubleArray(0)));

    [Fact]
    public void LabelNotZeroOrOne() =>
        Assert.Equal($"{_path}, row 2, column 'Label': 2 is not a binary label: it must be 0 or 1.", Error([Good(), Good() with { Label = 2 }], "Label", row => row.GetBoolean(0)));

    [Fact]
    public void Int32OutOfRange() =>
        Assert.Equal($"{_path}, row 1, column 'Label': 3000000000 is outside the Int32 range.", Error([Good() with { Label = 3_000_000_000 }], "Label", row => row.GetInt32(0)));

    [Theory]
    [InlineData("Name", "String values cannot be read as a number")]
    [InlineData("When", "DateTime values cannot be read as a number")]
    [InlineData("Recent", "lists of Int64 cannot be read as a number")]
    public void WrongTypeForANumber(string column, string problem) =>
        Assert.Equal($"{_path}, row 1, column '{column}': {problem}.", Error([Good()], column, row => row.GetDouble(0)));

    [Theory]
    [InlineData("Price", "Double values cannot be read as an integer")]
    [InlineData("Scores", "lists of Double cannot be read as an integer")]
    public void WrongTypeForAnInteger(string column, string problem) =>
        Assert.Equal($"{_path}, row 1, column '{column}': {problem}.", Error([Good()], column, row => row.GetInt64(0)));

    [Fact]
    public void RealLabelMustBeZeroOrOne() =>
        Assert.Equal($"{_path}, row 1, column 'Price': 2.5 is not a binary label: it must be 0 or 1.", Error([Good()], "Price", row => row.GetBoolean(0)));

    [Fact]
    public void TextColumnIsNoLabel() =>
        Assert.Equal($"{_path}, row 1, column 'Name': String values cannot be read as a binary label.", Error([Good()], "Name", row => row.GetBoolean(0)));

    [Fact]
    public void SingleValuesAreNoList() =>
        Assert.Equal($"{_path}, row 1, column 'Label': Int64 values cannot be read as a list of integers.", Error([Good()], "Label", row => row.GetInt64Array(0)));

    [Fact]
    public void NumbersAreNoStrings() =>
        Assert.Equal($"{_path}, row 1, column 'Scores': lists of Double cannot be read as a list of strings.", Error([Good()], "Scores", row => row.GetStringArray(0)));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static BadRow Good() => new() { Label = 1, Price = 2.5, Recent = [1, 2], Scores = [0.5], Name = "a", When = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc) };

    /// <summary>Writes the rows two per row group (so row numbers run across groups) and returns the message reading them fails with.</summary>
    private string Error(IEnumerable<BadRow> rows, string column, Func<DataRow, object> read)
    {
        DataFiles.WriteParquet(_path, rows, rowGroupSize: 2);
        return Assert.Throws<ModelDataException>(() => DataFile.ReadParquet(_path, [column], read).ToList()).Message;
    }

    /// <summary>Writes a Snappy-compressed file of two row groups and returns its bytes, to be damaged.</summary>
    private byte[] WriteForDamage()
    {
        DataFiles.WriteParquet(_path, Enumerable.Range(0, 40).Select(i => Good() with { Label = i, Price = i / 3.0, Recent = [i, i + 1], Name = $"name {i}" }), rowGroupSize: 20);
        return File.ReadAllBytes(_path);
    }

    private int ReadAll() =>
        DataFile.ReadParquet<object>(_path, ["Label", "Price", "Recent", "Scores", "Name"],
            row => (row.GetInt64(0), row.GetDouble(1), row.GetInt64Array(2), row.GetDoubleArray(3), row.GetString(4))).Count();

    private static int Replace(byte[] bytes, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        int count = 0;
        for (int at = bytes.AsSpan().IndexOf(from); at >= 0; at = bytes.AsSpan().IndexOf(from), count++)
            to.CopyTo(bytes.AsSpan(at));
        return count;
    }

    private ModelDataException ReadDamaged() => Assert.Throws<ModelDataException>(() => ReadAll());

    public sealed class TwinRow
    {
        public double Price { get; set; }
        public double Prics { get; set; }
        public long Label { get; set; }
    }

    /// <summary>Optional columns, as pandas or Spark write them, so that nulls can be stored.</summary>
    public sealed record BadRow
    {
        public long? Label { get; init; }
        public double? Price { get; init; }
        public List<long?>? Recent { get; init; }
        public List<double>? Scores { get; init; }
        public string? Name { get; init; }
        public DateTime When { get; init; }
    }
}
