using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Parquet;
using Parquet.Schema;

namespace ModelDsl.Data;

/// <summary>A row of a Parquet file: the requested columns are loaded per row group, the getters index into them.</summary>
internal sealed class ParquetRow : DataRow
{
    private readonly ParquetColumn[] _columns;
    private int _index;

    public ParquetRow(string path, IReadOnlyList<string> columns, ParquetSchema schema) : base(path, columns)
    {
        _columns = new ParquetColumn[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            Field[] fields = [.. schema.Fields.Where(f => f.Name == columns[i])];
            if (fields.Length == 0)
                throw new ModelDataException(DataProblem.MissingColumn(path, columns[i], [.. schema.Fields.Select(f => f.Name)], "the file has"));
            // Some writers allow two fields of one name; which one is meant cannot be told.
            if (fields.Length > 1)
                throw new ModelDataException($"{path}: column '{columns[i]}' appears {fields.Length} times in the file; rename all but one.");
            _columns[i] = ParquetColumn.Create(fields[0]);
        }
    }

    /// <summary>Loads the requested columns of the next row group, whose rows then follow <see cref="DataRow.RowNumber"/>.</summary>
    public void Load(ParquetRowGroupReader group, int rows)
    {
        for (int i = 0; i < _columns.Length; i++)
            _columns[i].Load(group, rows);
        _index = -1;
    }

    public void Advance()
    {
        _index++;
        RowNumber++;
    }

    /// <summary>A null value or a null list (a sequence that is missing); a list with a null element is not missing, and its getter reports the element.</summary>
    public override bool IsMissing(int column) => _columns[column].NullAt(_index) < 0;

    private protected override ReadOnlySpan<char> LabelText(int column)
    {
        (ParquetColumn values, int index) = Scalar(column, kind => kind == ParquetKind.Text, "a text label");
        return values.Texts[index].Span;
    }

    public override float GetSingle(int column)
    {
        (ParquetColumn values, int index) = Scalar(column, IsNumber, "a number");
        double value = values.Kind == ParquetKind.Real ? values.Reals[index] : values.Integers[index];
        return float.IsFinite((float)value) ? (float)value : throw Error(column, $"{Format(value)} {SingleProblem(value)}");
    }

    public override double GetDouble(int column)
    {
        (ParquetColumn values, int index) = Scalar(column, IsNumber, "a number");
        double value = values.Kind == ParquetKind.Real ? values.Reals[index] : values.Integers[index];
        return double.IsFinite(value) ? value : throw Error(column, $"{Format(value)} {DataProblem.NotFinite}");
    }

    public override int GetInt32(int column)
    {
        (ParquetColumn values, int index) = Scalar(column, IsInteger, "an integer");
        long value = values.Integers[index];
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Error(column, $"{Format(value)} {DataProblem.Int32Range}");
    }

    public override long GetInt64(int column)
    {
        (ParquetColumn values, int index) = Scalar(column, IsInteger, "an integer");
        return values.Integers[index];
    }

    public override bool GetBoolean(int column)
    {
        // Float label columns (0.0/1.0, as pandas writes them) are labels too.
        (ParquetColumn values, int index) = Scalar(column, kind => kind is ParquetKind.Boolean or ParquetKind.Integer or ParquetKind.Real, "a binary label");
        double value = values.Kind == ParquetKind.Real ? values.Reals[index] : values.Integers[index];
        return value is 0 or 1 ? value == 1 : throw Error(column, $"{Format(value)} {DataProblem.NotALabel}");
    }

    public override string GetString(int column)
    {
        (ParquetColumn values, int index) = Scalar(column, kind => kind == ParquetKind.Text, "a string");
        return new string(values.Texts[index].Span);
    }

    public override float[] GetSingleArray(int column)
    {
        (ParquetColumn values, int start, int count) = List(column, IsNumber, "numbers");
        var result = new float[count];
        for (int i = 0; i < count; i++)
        {
            double value = values.Kind == ParquetKind.Real ? values.Reals[start + i] : values.Integers[start + i];
            result[i] = float.IsFinite((float)value) ? (float)value : throw Error(column, DataProblem.Element(i, count, Format(value), SingleProblem(value)));
        }
        return result;
    }

    public override double[] GetDoubleArray(int column)
    {
        (ParquetColumn values, int start, int count) = List(column, IsNumber, "numbers");
        var result = new double[count];
        for (int i = 0; i < count; i++)
        {
            double value = values.Kind == ParquetKind.Real ? values.Reals[start + i] : values.Integers[start + i];
            result[i] = double.IsFinite(value) ? value : throw Error(column, DataProblem.Element(i, count, Format(value), DataProblem.NotFinite));
        }
        return result;
    }

    public override int[] GetInt32Array(int column)
    {
        (ParquetColumn values, int start, int count) = List(column, IsInteger, "integers");
        var result = new int[count];
        for (int i = 0; i < count; i++)
        {
            long value = values.Integers[start + i];
            result[i] = value is >= int.MinValue and <= int.MaxValue ? (int)value
                : throw Error(column, DataProblem.Element(i, count, Format(value), DataProblem.Int32Range));
        }
        return result;
    }

    public override long[] GetInt64Array(int column)
    {
        (ParquetColumn values, int start, int count) = List(column, IsInteger, "integers");
        return values.Integers.AsSpan(start, count).ToArray();
    }

    public override string[] GetStringArray(int column)
    {
        (ParquetColumn values, int start, int count) = List(column, kind => kind == ParquetKind.Text, "strings");
        var result = new string[count];
        for (int i = 0; i < count; i++)
            result[i] = new string(values.Texts[start + i].Span);
        return result;
    }

    private static bool IsNumber(ParquetKind kind) => kind is ParquetKind.Real or ParquetKind.Integer;

    private static bool IsInteger(ParquetKind kind) => kind == ParquetKind.Integer;

    /// <summary>Why a number read as float is not finite: it was not finite to begin with, or it is too large for a float.</summary>
    private static string SingleProblem(double value) => double.IsFinite(value) ? DataProblem.SingleRange : DataProblem.NotFinite;

    private static string Format<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>The column and the index of the current row's value, after checking its type and that it is not null.</summary>
    private (ParquetColumn Values, int Index) Scalar(int column, Func<ParquetKind, bool> accepts, string target)
    {
        ParquetColumn values = _columns[column];
        if (values.IsList || !accepts(values.Kind))
            throw Error(column, $"{Describe(values)} cannot be read as {target}");
        if (values.NullAt(_index) != 0)
            throw Error(column, "the value is null");
        return (values, values.Start(_index));
    }

    /// <summary>The column and the current row's range of elements, after checking its type and that it has no null.</summary>
    private (ParquetColumn Values, int Start, int Count) List(int column, Func<ParquetKind, bool> accepts, string target)
    {
        ParquetColumn values = _columns[column];
        if (!values.IsList || !accepts(values.Kind))
            throw Error(column, $"{Describe(values)} cannot be read as a list of {target}");
        int nullAt = values.NullAt(_index);
        if (nullAt != 0)
            throw Error(column, nullAt < 0 ? "the list is null" : $"element {nullAt} is null");
        return (values, values.Start(_index), values.Count(_index));
    }

    private static string Describe(ParquetColumn values) =>
        values.IsList ? $"lists of {values.TypeName}"
        : $"{values.TypeName} values";
}
