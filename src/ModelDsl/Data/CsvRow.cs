using System;
using System.Collections.Generic;
using nietras.SeparatedValues;

namespace ModelDsl.Data;

/// <summary>
/// A row of a CSV file read with Sep from <see cref="CsvText"/>: each getter parses its cell's span in place,
/// after taking out its quotes if it has any.
/// </summary>
internal sealed class CsvRow : DataRow
{
    private readonly SepReader _reader;
    private readonly CsvText _text;
    private readonly int[] _fileColumns;
    private readonly int _headerCount;
    private readonly char _arraySeparator;
    private char[] _unquoted = [];

    public CsvRow(string path, IReadOnlyList<string> columns, SepReader reader, CsvText text, char arraySeparator) : base(path, columns)
    {
        _reader = reader;
        _text = text;
        _arraySeparator = arraySeparator;
        string[] names = HeaderNames(path, reader.Header.ColNames);
        _headerCount = names.Length;
        _fileColumns = new int[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            _fileColumns[i] = Array.IndexOf(names, columns[i]);
            if (_fileColumns[i] < 0)
                throw new ModelDataException(DataProblem.MissingColumn(path, columns[i], names, "the header has"));
        }
    }

    /// <summary>
    /// Moves to the row the reader has just read and says whether it holds data: an empty line is skipped
    /// but counted, so row numbers stay line numbers minus one. A ragged row fails here, before any getter.
    /// </summary>
    public bool Advance()
    {
        RowNumber++;
        ReadOnlySpan<char> line = _reader.Current.Span;
        if (line.IsEmpty)
            return false;
        // Every row's quotes pair up but the one whose field is still open at the end of the file.
        if (_text.EndedInsideQuotes && line.Count('"') % 2 != 0)
            throw new ModelDataException($"{Path}, row {RowNumber}: {UnclosedQuote}");
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

    private const string UnclosedQuote = "a quoted field is not closed: its opening quote has no closing quote before the end of the file.";

    private ReadOnlySpan<char> Cell(int column)
    {
        ReadOnlySpan<char> cell = _reader.Current[_fileColumns[column]].Span;
        if (_text.HadQuotes && cell.Contains('"'))
        {
            if (_unquoted.Length < cell.Length)
                _unquoted = new char[Math.Max(cell.Length, 2 * _unquoted.Length)];
            cell = _unquoted.AsSpan(0, Unquote(cell, _unquoted));
        }
        if (_text.HadInvalidBytes && CsvText.IndexOfInvalidByte(cell) is var invalid and >= 0)
            throw Error(column, DataProblem.NotUtf8(cell, invalid));
        return cell;
    }

    /// <summary>
    /// Writes the value of a cell that holds quotes to <paramref name="value"/> and returns its length: a quoted
    /// cell loses its enclosing quotes, and "" is one quote (inside quotes an escaped one, outside a literal one
    /// that <see cref="CsvText"/> doubled). Text after a closing quote is kept, as Python's csv module keeps it.
    /// </summary>
    private static int Unquote(ReadOnlySpan<char> cell, Span<char> value)
    {
        int length = 0;
        for (int i = cell[0] == '"' ? 1 : 0; i < cell.Length; i++)
        {
            if (cell[i] == '"')
            {
                if (i + 1 == cell.Length || cell[i + 1] != '"')
                    continue; // the closing quote
                i++;
            }
            value[length++] = cell[i];
        }
        return length;
    }

    /// <summary>The header's column names without their quotes, checked for invalid UTF-8, an unclosed quote and names that only quotes told apart.</summary>
    private string[] HeaderNames(string path, IReadOnlyList<string> raw)
    {
        var names = new string[raw.Count];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            string name = raw[i];
            if (name.Contains('"'))
            {
                if (_text.EndedInsideQuotes && name.AsSpan().Count('"') % 2 != 0)
                    throw new ModelDataException($"{path}: the header cannot be read: {UnclosedQuote}");
                var value = new char[name.Length];
                name = new string(value, 0, Unquote(name, value));
            }
            if (CsvText.IndexOfInvalidByte(name) is var invalid and >= 0)
                throw new ModelDataException($"{path}: the header cannot be read: column {i + 1}: {DataProblem.NotUtf8(name, invalid)}.");
            if (!seen.TryAdd(name, i))
                throw new ModelDataException($"{path}: the header cannot be read: columns {seen[name] + 1} and {i + 1} are both named '{name}'.");
            names[i] = name;
        }
        return names;
    }

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
