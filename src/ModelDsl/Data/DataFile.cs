using System;
using System.Collections.Generic;
using System.IO;
using nietras.SeparatedValues;
using Parquet;

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
    /// <summary>Reads a CSV file whose first line is the header; <paramref name="read"/> makes one item per data row.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns to read; a getter of <see cref="DataRow"/> takes an index into this list.</param>
    /// <param name="read">Makes an item from the current row.</param>
    /// <param name="options">Separators; <c>,</c> between fields and <c>|</c> between array elements unless set.</param>
    public static IEnumerable<T> ReadCsv<T>(string path, IReadOnlyList<string> columns, Func<DataRow, T> read, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(read);
        options ??= new CsvOptions();
        if (options.Separator == options.ArraySeparator || options.ArraySeparator is '"' or '\r' or '\n')
            throw new ArgumentException($"The array separator '{options.ArraySeparator}' must differ from the field separator, quotes and line breaks.", nameof(options));
        // Validates the field separator now rather than at the first enumeration.
        Sep separator = Sep.New(options.Separator);
        return EnumerateCsv(path, columns, read, separator, options.ArraySeparator);
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

    private static IEnumerable<T> EnumerateCsv<T>(string path, IReadOnlyList<string> columns, Func<DataRow, T> read, Sep separator, char arraySeparator)
    {
        // Column counts are checked by CsvRow, to name the row and both counts in the message.
        SepReaderOptions options = separator.Reader(o => o with { Unescape = true, DisableColCountCheck = true });
        using SepReader reader = OpenCsv(path, options);
        var row = new CsvRow(path, columns, reader, arraySeparator);
        while (reader.MoveNext())
        {
            row.Advance();
            yield return read(row);
        }
    }

    private static SepReader OpenCsv(string path, SepReaderOptions options)
    {
        try
        {
            return options.FromFile(path);
        }
        catch (ArgumentException e)
        {
            // Sep rejects a header that names a column twice.
            throw new ModelDataException($"{path}: the header cannot be read: {e.Message}", e);
        }
    }

    private static IEnumerable<T> EnumerateParquet<T>(string path, IReadOnlyList<string> columns, Func<DataRow, T> read)
    {
        using FileStream stream = File.OpenRead(path);
        ParquetReader reader = OpenParquet(path, stream);
        try
        {
            var row = new ParquetRow(path, columns, reader.Schema);
            for (int group = 0; group < reader.RowGroupCount; group++)
            {
                using ParquetRowGroupReader groupReader = reader.OpenRowGroupReader(group);
                int rows = checked((int)groupReader.RowCount);
                LoadRowGroup(path, row, group, groupReader, rows);
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
            // Strings written without the UTF-8 annotation (older Spark and Hive) are still strings.
            var options = new ParquetOptions { TreatByteArrayAsString = true };
            return ParquetReader.CreateAsync(stream, options, leaveStreamOpen: true).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or ParquetException)
        {
            throw new ModelDataException($"{path}: not a readable Parquet file: {e.Message}", e);
        }
    }

    private static void LoadRowGroup(string path, ParquetRow row, int index, ParquetRowGroupReader group, int rows)
    {
        try
        {
            row.Load(group, rows);
        }
        catch (Exception e) when (e is IOException or ParquetException or InvalidOperationException or NotSupportedException)
        {
            // A damaged file, or an encoding Parquet.Net does not read.
            throw new ModelDataException($"{path}, row group {index + 1} (from row {row.RowNumber + 1}): cannot be read: {e.Message}", e);
        }
    }
}
