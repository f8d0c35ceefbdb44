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
    private readonly IReadOnlyList<string> _columns;
    private readonly IReadOnlyList<int>? _positions;
    private readonly CsvOptions _options;
    private int[] _fileColumns = [];
    private int _fieldCount = -1;
    private bool _headerPending;
    private char[] _unquoted = [];

    /// <summary>Reads <paramref name="columns"/> from <paramref name="reader"/>; without a header, <paramref name="positions"/> gives each one's 0-based field (their order when null).</summary>
    public CsvRow(string path, IReadOnlyList<string> columns, IReadOnlyList<int>? positions, SepReader reader, CsvText text, CsvOptions options) : base(path, columns)
    {
        _reader = reader;
        _text = text;
        _columns = columns;
        _positions = positions;
        _options = options;
        _headerPending = options.HasHeader;
    }

    /// <summary>
    /// Moves to the row the reader has just read and says whether it holds data: the header, or an empty line,
    /// is not data (an empty line is counted, so row numbers stay line numbers minus one). A ragged row fails
    /// here, before any getter.
    /// </summary>
    public bool Advance()
    {
        if (_headerPending)
        {
            _headerPending = false;
            ReadHeader();
            return false;
        }
        RowNumber++;
        ReadOnlySpan<char> line = _reader.Current.Span;
        if (line.IsEmpty)
            return false;
        // Every row's quotes pair up but the one whose field is still open at the end of the file.
        if (_text.EndedInsideQuotes && line.Count('"') % 2 != 0)
            throw new ModelDataException($"{Path}, row {RowNumber}: {UnclosedQuote}");
        int count = _reader.Current.ColCount;
        if (_fieldCount < 0)
            FindPositions(count);
        if (count != _fieldCount)
            throw new ModelDataException($"{Path}, row {RowNumber}: the row has {count} fields but {(_options.HasHeader ? "the header" : "the first row")} has {_fieldCount}.");
        return true;
    }

    /// <summary>Called after the last row: a file without even a header line has none of the columns.</summary>
    public void End()
    {
        if (_headerPending && _columns.Count > 0)
            throw new ModelDataException(DataProblem.MissingColumn(Path, _columns[0], [], "the header has"));
    }

    public override bool IsMissing(int column) => IsMarker(Cell(column));

    private protected override ReadOnlySpan<char> LabelText(int column) => Checked(column, Cell(column));

    public override float GetSingle(int column) => Parse<float>(column, TextValues.ParseSingle);

    public override double GetDouble(int column) => Parse<double>(column, TextValues.ParseDouble);

    public override int GetInt32(int column) => Parse<int>(column, TextValues.ParseInt32);

    public override long GetInt64(int column) => Parse<long>(column, TextValues.ParseInt64);

    public override bool GetBoolean(int column) => Parse<bool>(column, TextValues.ParseLabel);

    public override string GetString(int column) => Checked(column, Cell(column)).ToString();

    public override float[] GetSingleArray(int column) => ParseArray<float>(column, TextValues.ParseSingle);

    public override double[] GetDoubleArray(int column) => ParseArray<double>(column, TextValues.ParseDouble);

    public override int[] GetInt32Array(int column) => ParseArray<int>(column, TextValues.ParseInt32);

    public override long[] GetInt64Array(int column) => ParseArray<long>(column, TextValues.ParseInt64);

    public override string[] GetStringArray(int column) => ParseArray<string>(column, TextValues.ParseString);

    /// <summary>Finds each column's field in a file without a header, from its first data row of <paramref name="count"/> fields.</summary>
    private void FindPositions(int count)
    {
        _fieldCount = count;
        _fileColumns = new int[_columns.Count];
        for (int i = 0; i < _fileColumns.Length; i++)
        {
            _fileColumns[i] = _positions is null ? i : _positions[i];
            if (_fileColumns[i] >= count)
                throw new ModelDataException($"{Path}, row {RowNumber}: column '{_columns[i]}' is field {_fileColumns[i] + 1}, but the row has {count} fields{(_positions is null ? " (without a header, columns are read in declaration order; [Column(Index = n)] places one)" : "")}.");
        }
    }

    private void ReadHeader()
    {
        string[] names = HeaderNames();
        _fieldCount = names.Length;
        _fileColumns = new int[_columns.Count];
        for (int i = 0; i < _columns.Count; i++)
        {
            _fileColumns[i] = Array.IndexOf(names, _columns[i]);
            if (_fileColumns[i] < 0)
                throw new ModelDataException(DataProblem.MissingColumn(Path, _columns[i], names, "the header has") + HeaderLooksLikeData(names));
        }
    }

    /// <summary>
    /// Why the first line is probably data rather than a header, or nothing: column names are not numbers, and
    /// a line of data (census rows, logs) usually holds some.
    /// </summary>
    private static string HeaderLooksLikeData(string[] names)
    {
        for (int i = 0; i < names.Length; i++)
        {
            if (TextValues.ParseDouble(names[i], out _) is null)
                return $" The first line looks like data, not a header (field {i + 1}, '{names[i]}', is a number): if the file has no header, read it with CsvOptions {{ HasHeader = false }}.";
        }
        return "";
    }

    private bool IsMarker(ReadOnlySpan<char> cell)
    {
        foreach (string marker in _options.MissingValues)
        {
            if (cell.SequenceEqual(marker))
                return true;
        }
        return false;
    }

    /// <summary>The cell, unless it is a missing-value marker: only a nullable member takes one, and it asks <see cref="IsMissing"/> first.</summary>
    private ReadOnlySpan<char> Checked(int column, ReadOnlySpan<char> cell) =>
        _options.MissingValues.Count > 0 && IsMarker(cell) ? throw Error(column, DataProblem.Missing(cell)) : cell;

    private const string UnclosedQuote = "a quoted field is not closed: its opening quote has no closing quote before the end of the file.";

    private ReadOnlySpan<char> Cell(int column) => Field(column, _reader.Current[_fileColumns[column]].Span);

    /// <summary>A field's value: trimmed when asked, without its quotes, checked for invalid UTF-8 (<paramref name="column"/> names it; −1 for the header).</summary>
    private ReadOnlySpan<char> Field(int column, ReadOnlySpan<char> cell)
    {
        if (_options.TrimFields)
            cell = cell.Trim(' ');
        if (_text.HadQuotes && cell.Contains('"'))
        {
            if (_unquoted.Length < cell.Length)
                _unquoted = new char[Math.Max(cell.Length, 2 * _unquoted.Length)];
            cell = _unquoted.AsSpan(0, Unquote(cell, _unquoted));
        }
        if (_text.HadInvalidBytes && CsvText.IndexOfInvalidByte(cell) is var invalid and >= 0)
        {
            throw column >= 0 ? Error(column, DataProblem.NotUtf8(cell, invalid))
                : new ModelDataException($"{Path}: the header cannot be read: column {-column}: {DataProblem.NotUtf8(cell, invalid)}.");
        }
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

    /// <summary>The header's column names as fields are read (trimmed, unquoted, checked), and names that only quotes told apart.</summary>
    private string[] HeaderNames()
    {
        // An empty first line is a header of no columns.
        var names = new string[_reader.Current.Span.IsEmpty ? 0 : _reader.Current.ColCount];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            ReadOnlySpan<char> raw = _reader.Current[i].Span;
            if (_text.EndedInsideQuotes && raw.Count('"') % 2 != 0)
                throw new ModelDataException($"{Path}: the header cannot be read: {UnclosedQuote}");
            string name = Field(-(i + 1), raw).ToString();
            if (!seen.TryAdd(name, i))
                throw new ModelDataException($"{Path}: the header cannot be read: columns {seen[name] + 1} and {i + 1} are both named '{name}'.{HeaderLooksLikeData([.. names.AsSpan(0, i), name])}");
            names[i] = name;
        }
        return names;
    }

    private T Parse<T>(int column, TextValues.Parser<T> parse)
    {
        ReadOnlySpan<char> cell = Cell(column);
        string? problem = parse(cell, out T value);
        return problem is null ? value : throw Error(column, _options.MissingValues.Count > 0 && IsMarker(cell) ? DataProblem.Missing(cell) : DataProblem.Value(cell, problem));
    }

    /// <summary>Splits the cell on the array separator; an empty cell is an empty array.</summary>
    private T[] ParseArray<T>(int column, TextValues.Parser<T> parse)
    {
        ReadOnlySpan<char> rest = Checked(column, Cell(column));
        if (rest.IsEmpty)
            return [];
        var values = new T[rest.Count(_options.ArraySeparator) + 1];
        for (int i = 0; i < values.Length; i++)
        {
            int end = rest.IndexOf(_options.ArraySeparator);
            ReadOnlySpan<char> element = end < 0 ? rest : rest[..end];
            if (_options.TrimFields)
                element = element.Trim(' ');
            string? problem = parse(element, out values[i]);
            if (problem is not null)
                throw Error(column, DataProblem.Element(i, values.Length, element, problem));
            rest = end < 0 ? default : rest[(end + 1)..];
        }
        return values;
    }
}
