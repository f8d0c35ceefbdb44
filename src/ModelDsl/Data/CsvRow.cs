using System;
using System.Collections.Generic;
using nietras.SeparatedValues;

namespace ModelDsl.Data;

/// <summary>A row of a CSV file read with Sep: each getter parses its cell's span in place.</summary>
internal sealed class CsvRow : DataRow
{
    private readonly SepReader _reader;
    private readonly int[] _fileColumns;
    private readonly int _headerCount;
    private readonly char _arraySeparator;

    public CsvRow(string path, IReadOnlyList<string> columns, SepReader reader, char arraySeparator) : base(path, columns)
    {
        _reader = reader;
        _arraySeparator = arraySeparator;
        SepReaderHeader header = reader.Header;
        _headerCount = header.ColNames.Count;
        _fileColumns = new int[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            if (!header.TryIndexOf(columns[i], out _fileColumns[i]))
                throw new ModelDataException(DataProblem.MissingColumn(path, columns[i], header.ColNames, "the header has"));
        }
    }

    /// <summary>
    /// Moves to the row the reader has just read and says whether it holds data: an empty line is skipped
    /// but counted, so row numbers stay line numbers minus one. A ragged row fails here, before any getter.
    /// </summary>
    public bool Advance()
    {
        RowNumber++;
        if (_reader.Current.Span.IsEmpty)
            return false;
        int count = _reader.Current.ColCount;
        if (count != _headerCount)
            throw new ModelDataException($"{Path}, row {RowNumber}: the row has {count} fields but the header has {_headerCount}.");
        return true;
    }

    public override float GetSingle(int column) => Parse<float>(column, TextValues.ParseSingle);

    public override double GetDouble(int column) => Parse<double>(column, TextValues.ParseDouble);

    public override int GetInt32(int column) => Parse<int>(column, TextValues.ParseInt32);

    public override long GetInt64(int column) => Parse<long>(column, TextValues.ParseInt64);

    public override bool GetBoolean(int column) => Parse<bool>(column, TextValues.ParseLabel);

    public override string GetString(int column) => Cell(column).ToString();

    public override float[] GetSingleArray(int column) => ParseArray<float>(column, TextValues.ParseSingle);

    public override double[] GetDoubleArray(int column) => ParseArray<double>(column, TextValues.ParseDouble);

    public override int[] GetInt32Array(int column) => ParseArray<int>(column, TextValues.ParseInt32);

    public override long[] GetInt64Array(int column) => ParseArray<long>(column, TextValues.ParseInt64);

    public override string[] GetStringArray(int column) => ParseArray<string>(column, TextValues.ParseString);

    private ReadOnlySpan<char> Cell(int column) => _reader.Current[_fileColumns[column]].Span;

    private T Parse<T>(int column, TextValues.Parser<T> parse)
    {
        ReadOnlySpan<char> cell = Cell(column);
        string? problem = parse(cell, out T value);
        return problem is null ? value : throw Error(column, DataProblem.Value(cell, problem));
    }

    /// <summary>Splits the cell on the array separator; an empty cell is an empty array.</summary>
    private T[] ParseArray<T>(int column, TextValues.Parser<T> parse)
    {
        ReadOnlySpan<char> rest = Cell(column);
        if (rest.IsEmpty)
            return [];
        var values = new T[rest.Count(_arraySeparator) + 1];
        for (int i = 0; i < values.Length; i++)
        {
            int end = rest.IndexOf(_arraySeparator);
            ReadOnlySpan<char> element = end < 0 ? rest : rest[..end];
            string? problem = parse(element, out values[i]);
            if (problem is not null)
                throw Error(column, DataProblem.Element(i, values.Length, element, problem));
            rest = end < 0 ? default : rest[(end + 1)..];
        }
        return values;
    }
}
