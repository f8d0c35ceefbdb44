using System;
using System.Collections.Generic;

namespace ModelDsl.Data;

/// <summary>
/// The current row of a data file being read by <see cref="DataFile"/>. Each getter takes the index of a
/// column in the column list given to the reader, and throws <see cref="ModelDataException"/> naming the
/// file, row and column when the value does not fit the asked type. The object is reused for every row of
/// an enumeration: read what you need inside the callback.
/// </summary>
public abstract class DataRow
{
    private readonly IReadOnlyList<string> _columns;

    private protected DataRow(string path, IReadOnlyList<string> columns)
    {
        Path = path;
        _columns = columns;
    }

    /// <summary>The 1-based number of the current data row (a CSV header is not counted, a skipped empty line is).</summary>
    public long RowNumber { get; private protected set; }

    private protected string Path { get; }

    /// <summary>Reads a finite 32-bit float.</summary>
    public abstract float GetSingle(int column);

    /// <summary>Reads a finite 64-bit float.</summary>
    public abstract double GetDouble(int column);

    /// <summary>Reads a 32-bit integer.</summary>
    public abstract int GetInt32(int column);

    /// <summary>Reads a 64-bit integer.</summary>
    public abstract long GetInt64(int column);

    /// <summary>Reads a binary label: 0 or 1 (CSV also takes true and false, in any case).</summary>
    public abstract bool GetBoolean(int column);

    /// <summary>
    /// A binary label written as text: true for <paramref name="positive"/>, false for <paramref name="negative"/>,
    /// compared ordinally without their surrounding spaces; any other value fails naming the file, row and column.
    /// </summary>
    public bool GetBoolean(int column, string positive, string negative)
    {
        ReadOnlySpan<char> text = LabelText(column).Trim(' ');
        if (text.SequenceEqual(positive.AsSpan().Trim(' ')))
            return true;
        if (text.SequenceEqual(negative.AsSpan().Trim(' ')))
            return false;
        throw Error(column, DataProblem.Value(text, $"is not a binary label: it must be '{positive}' or '{negative}'"));
    }

    /// <summary>A multiclass label: a class index in [0, <paramref name="classes"/>); any other value fails naming the file, row, column and value.</summary>
    public int GetClass(int column, int classes)
    {
        var value = GetInt32(column);
        return (uint)value < (uint)classes
            ? value
            : throw Error(column, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value} {DataProblem.NotAClass}: it must be at least 0 and less than {classes} (Classes)"));
    }

    /// <summary>
    /// Whether the current row has no value in <paramref name="column"/>: a CSV cell that is one of
    /// <see cref="CsvOptions.MissingValues"/>, or a Parquet null. The generated readers ask it for nullable members.
    /// </summary>
    public abstract bool IsMissing(int column);

    /// <summary>Reads a string.</summary>
    public abstract string GetString(int column);

    /// <summary>Reads an array of finite 32-bit floats.</summary>
    public abstract float[] GetSingleArray(int column);

    /// <summary>Reads an array of finite 64-bit floats.</summary>
    public abstract double[] GetDoubleArray(int column);

    /// <summary>Reads an array of 32-bit integers.</summary>
    public abstract int[] GetInt32Array(int column);

    /// <summary>Reads an array of 64-bit integers.</summary>
    public abstract long[] GetInt64Array(int column);

    /// <summary>Reads an array of strings.</summary>
    public abstract string[] GetStringArray(int column);

    /// <summary>The text of a label column, for <see cref="GetBoolean(int, string, string)"/>.</summary>
    private protected abstract ReadOnlySpan<char> LabelText(int column);

    /// <summary>An error about the current row's value in <paramref name="column"/>.</summary>
    private protected ModelDataException Error(int column, string problem) =>
        new($"{Path}, row {RowNumber}, column '{_columns[column]}': {problem}.");
}
