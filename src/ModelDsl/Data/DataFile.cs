using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using nietras.SeparatedValues;
using Parquet;
using Parquet.Schema;

namespace ModelDsl.Data;

/// <summary>
/// Reads training data from CSV and Parquet files. The result is lazy: each enumeration opens the file
/// anew and streams it (CSV row by row, Parquet row group by row group), so a trainer can enumerate it
/// once per epoch and a file larger than memory can be read. Columns are found by their exact header
/// name; the file may have other columns, in any order. Bad data throws <see cref="ModelDataException"/>
/// naming the file, the row and the column.
/// </summary>
public static class DataFile
{
    /// <summary>Reads a CSV file (whose first line is the header unless <see cref="CsvOptions.HasHeader"/> says otherwise); <paramref name="read"/> makes one item per data row.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns to read; a getter of <see cref="DataRow"/> takes an index into this list.</param>
    /// <param name="read">Makes an item from the current row.</param>
    /// <param name="options">Separators, header, trimming and missing values; <c>,</c> between fields and <c>|</c> between array elements, with a header, unless set.</param>
    /// <param name="positions">Each column's 0-based field in a file without a header; the order of <paramref name="columns"/> when null.</param>
    public static IEnumerable<T> ReadCsv<T>(string path, IReadOnlyList<string> columns, Func<DataRow, T> read, CsvOptions? options = null, IReadOnlyList<int>? positions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(read);
        options ??= new CsvOptions();
        if (options.Separator == options.ArraySeparator || options.ArraySeparator is '"' or '\r' or '\n')
            throw new ArgumentException($"The array separator '{options.ArraySeparator}' must differ from the field separator, quotes and line breaks.", nameof(options));
        ArgumentNullException.ThrowIfNull(options.MissingValues, nameof(options));
        if (positions is not null && (positions.Count != columns.Count || positions.Any(p => p < 0)))
            throw new ArgumentException($"Give one field index, 0 or more, per column: {positions.Count} for {columns.Count} columns.", nameof(positions));
        // Validates the field separator now rather than at the first enumeration.
        Sep separator = Sep.New(options.Separator);
        return EnumerateCsv(path, columns, read, separator, options, positions);
    }

    /// <summary>Reads a Parquet file; <paramref name="read"/> makes one item per row.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The top-level columns to read; a getter of <see cref="DataRow"/> takes an index into this list.</param>
    /// <param name="read">Makes an item from the current row.</param>
    public static IEnumerable<T> ReadParquet<T>(string path, IReadOnlyList<string> columns, Func<DataRow, T> read)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(read);
        return EnumerateParquet(path, columns, read);
    }

    private static IEnumerable<T> EnumerateCsv<T>(string path, IReadOnlyList<string> columns, Func<DataRow, T> read, Sep separator, CsvOptions csv, IReadOnlyList<int>? positions)
    {
        // The header, column counts, trimming and quotes are CsvRow's: it reads the header as a row, so that
        // its errors name what is wrong (and say when the "header" is data) instead of Sep's long messages.
        SepReaderOptions options = separator.Reader(o => o with { HasHeader = false, DisableColCountCheck = true });
        using CsvText text = CsvText.Open(path, OpenFile(path), separator.Separator, csv.TrimFields);
        using SepReader reader = OpenCsv(path, options, text);
        var row = new CsvRow(path, columns, positions, reader, text, csv);
        while (MoveNext(path, reader, row))
        {
            if (row.Advance())
                yield return read(row);
        }
        row.End();
    }

    private static bool MoveNext(string path, SepReader reader, CsvRow row)
    {
        try
        {
            return reader.MoveNext();
        }
        catch (NotSupportedException e)
        {
            // Sep's limit on a row's length; reached by a huge field or, far more often, by a quote left open.
            throw new ModelDataException($"{path}, row {row.RowNumber + 1}: the row is longer than the 16M characters that can be read; a quote left unterminated makes the rest of the file one field.", e);
        }
    }

    private static SepReader OpenCsv(string path, SepReaderOptions options, CsvText text)
    {
        try
        {
            return options.From(text, leaveOpen: true);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            // Sep rejects a header that names a column twice, or that is too long (an unterminated quote).
            throw new ModelDataException($"{path}: the header cannot be read: {e.Message}", e);
        }
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (UnauthorizedAccessException e) when (Directory.Exists(path))
        {
            // A directory fails as a missing file does; the runtime calls it "access denied".
            throw new FileNotFoundException($"Could not find file '{path}': it is a directory.", path, e);
        }
    }

    private static IEnumerable<T> EnumerateParquet<T>(string path, IReadOnlyList<string> columns, Func<DataRow, T> read)
    {
        using FileStream stream = OpenFile(path);
        ParquetReader reader = OpenParquet(path, stream);
        try
        {
            var row = new ParquetRow(path, columns, SchemaOf(path, reader));
            for (int group = 0; group < reader.RowGroupCount; group++)
            {
                int rows = LoadRowGroup(path, row, reader, group);
                for (int i = 0; i < rows; i++)
                {
                    row.Advance();
                    yield return read(row);
                }
            }
        }
        finally
        {
            // The reader is only IAsyncDisposable; this iterator is synchronous, as OpenParquet is.
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static ParquetReader OpenParquet(string path, FileStream stream)
    {
        try
        {
            CheckFooterLength(stream);
            // Strings written without the UTF-8 annotation (older Spark and Hive) are still strings.
            var options = new ParquetOptions { TreatByteArrayAsString = true };
            return ParquetReader.CreateAsync(stream, options, leaveStreamOpen: true).GetAwaiter().GetResult();
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw NotParquet(path, e);
        }
    }

    /// <summary>
    /// Refuses a footer longer than the file before Parquet.Net allocates a buffer for it: a damaged
    /// length can ask for 2 GB. The file ends with the footer, its length (4 bytes) and "PAR1".
    /// </summary>
    private static void CheckFooterLength(FileStream stream)
    {
        // Shorter files are left to Parquet.Net, which says they are too small.
        const int Magic = 4;
        if (stream.Length < 2 * Magic + 4)
            return;
        Span<byte> length = stackalloc byte[4];
        stream.Seek(-(Magic + 4), SeekOrigin.End);
        stream.ReadExactly(length);
        stream.Position = 0;
        long footer = BinaryPrimitives.ReadUInt32LittleEndian(length);
        if (footer > stream.Length - (2 * Magic + 4))
            throw new InvalidDataException($"the footer length, {footer} bytes, is more than the file holds ({stream.Length} bytes)");
    }

    private static ParquetSchema SchemaOf(string path, ParquetReader reader)
    {
        try
        {
            return reader.Schema;
        }
        catch (Exception e) when (IsDamage(e))
        {
            throw NotParquet(path, e);
        }
    }

    /// <summary>Loads the next row group into <paramref name="row"/> and returns its number of rows.</summary>
    private static int LoadRowGroup(string path, ParquetRow row, ParquetReader reader, int index)
    {
        try
        {
            using ParquetRowGroupReader group = reader.OpenRowGroupReader(index);
            int rows = checked((int)group.RowCount);
            row.Load(group, rows);
            return rows;
        }
        catch (Exception e) when (IsDamage(e))
        {
            // A damaged file, or an encoding Parquet.Net does not read.
            throw new ModelDataException($"{path}, row group {index + 1} (from row {row.RowNumber + 1}): cannot be read: {e.Message}", e);
        }
    }

    private static ModelDataException NotParquet(string path, Exception e) => new($"{path}: not a readable Parquet file: {e.Message}", e);

    /// <summary>
    /// Whether an exception from Parquet.Net comes from the file's content. A damaged file makes it throw
    /// almost anything (ParquetException, its Thrift decoder's own exception, InvalidDataException from
    /// Snappy, IndexOutOfRange, NullReference, Overflow…), so only what no file can cause is let through.
    /// </summary>
    private static bool IsDamage(Exception e) => e is not (OutOfMemoryException or OperationCanceledException);
}
