using System;
using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace ModelDsl.Data;

/// <summary>What a Parquet column's values are read as.</summary>
internal enum ParquetKind
{
    /// <summary>Kept in <see cref="ParquetColumn.Integers"/> as 0 and 1.</summary>
    Boolean,

    /// <summary>Any signed or unsigned integer type up to 32 bits, and Int64; kept in <see cref="ParquetColumn.Integers"/>.</summary>
    Integer,

    /// <summary>Float or Double; kept in <see cref="ParquetColumn.Reals"/>.</summary>
    Real,

    /// <summary>UTF-8 strings (and unannotated byte arrays); kept in <see cref="ParquetColumn.Texts"/>.</summary>
    Text,

    /// <summary>Anything else (dates, decimals, UInt64, structs, maps, nested lists): not loaded, any getter fails.</summary>
    Unsupported,
}

/// <summary>
/// One requested column of a Parquet file, loaded a row group at a time into buffers that are reused
/// from group to group, so memory follows the row group size, not the file size. Values are kept
/// packed (non-null values only, list elements one after another); <see cref="Start"/> and
/// <see cref="Count"/> find a row's values, <see cref="NullAt"/> says whether a row has a null.
/// </summary>
internal sealed class ParquetColumn
{
    private readonly DataField? _field;
    private readonly int _elementLevel;
    private readonly int _emptyLevel;
    private Array? _raw;
    private int[] _definitions = [];
    private int[] _repetitions = [];
    private int[]? _starts;
    private int[] _nulls = [];

    private ParquetColumn(DataField? field, bool isList, ParquetKind kind, string typeName, int elementLevel, int emptyLevel)
    {
        _field = field;
        IsList = isList;
        Kind = kind;
        TypeName = typeName;
        _elementLevel = elementLevel;
        _emptyLevel = emptyLevel;
    }

    public bool IsList { get; }

    public ParquetKind Kind { get; }

    /// <summary>The column's value type for messages: Int64, String, Double, DateTime, Struct…</summary>
    public string TypeName { get; }

    public long[] Integers { get; private set; } = [];

    public double[] Reals { get; private set; } = [];

    public ReadOnlyMemory<char>[] Texts { get; private set; } = [];

    /// <summary>Describes a top-level field of the file's schema.</summary>
    public static ParquetColumn Create(Field field)
    {
        switch (field)
        {
            case DataField data when data.MaxRepetitionLevel == 0:
                // A scalar: a definition level below the maximum is a null value.
                return new(data, isList: false, KindOf(data.ClrType), NameOf(data.ClrType), data.MaxDefinitionLevel + 1, data.MaxDefinitionLevel);
            case DataField data when data.MaxRepetitionLevel == 1:
                // A legacy repeated primitive: below the maximum is an empty list.
                return new(data, isList: true, KindOf(data.ClrType), NameOf(data.ClrType), data.MaxDefinitionLevel, data.MaxDefinitionLevel - 1);
            case ListField { Item: DataField item } list when item.MaxRepetitionLevel == 1:
                // At the list's own level an element slot exists (null when below the item's maximum);
                // one below it the list is empty, further below it is null.
                return new(item, isList: true, KindOf(item.ClrType), NameOf(item.ClrType), list.MaxDefinitionLevel, list.MaxDefinitionLevel - 1);
            default:
                string typeName = field is ListField other ? $"List<{other.Item.SchemaType}>" : field.SchemaType.ToString();
                return new(null, isList: false, ParquetKind.Unsupported, typeName, 0, 0);
        }
    }

    /// <summary>0 when the row has no null, -1 when the value (or list) is null, k when its element k (1-based) is null.</summary>
    public int NullAt(int row) => _starts is null ? 0 : _nulls[row];

    public int Start(int row) => _starts is null ? row : _starts[row];

    public int Count(int row) => _starts is null ? 1 : _starts[row + 1] - _starts[row];

    /// <summary>Reads this column's chunk of <paramref name="group"/>, which has <paramref name="rows"/> rows.</summary>
    public void Load(ParquetRowGroupReader group, int rows)
    {
        if (Kind == ParquetKind.Unsupported)
            return;
        DataField field = _field!;
        long valueCount = group.GetMetadata(field)?.MetaData?.NumValues
            ?? throw new InvalidOperationException($"the row group has no data for column '{field.Name}'");
        int count = checked((int)valueCount);
        Memory<int>? definitions = Levels(ref _definitions, field.MaxDefinitionLevel, count);
        Memory<int>? repetitions = Levels(ref _repetitions, field.MaxRepetitionLevel, count);
        Type type = field.ClrType;
        if (type == typeof(long))
            Read(group, (Integers = Grow(Integers, count)).AsMemory(0, count), definitions, repetitions);
        else if (type == typeof(double))
            Read(group, (Reals = Grow(Reals, count)).AsMemory(0, count), definitions, repetitions);
        else if (IsText(type))
            Read(group, (Texts = Grow(Texts, count)).AsMemory(0, count), definitions, repetitions);
        else if (type == typeof(float))
        {
            Span<float> raw = ReadRaw<float>(group, count, definitions, repetitions);
            Reals = Grow(Reals, count);
            for (int i = 0; i < raw.Length; i++)
                Reals[i] = raw[i];
        }
        else if (type == typeof(bool))
        {
            Span<bool> raw = ReadRaw<bool>(group, count, definitions, repetitions);
            Integers = Grow(Integers, count);
            for (int i = 0; i < raw.Length; i++)
                Integers[i] = raw[i] ? 1 : 0;
        }
        else if (type == typeof(int)) Widen<int>(group, count, definitions, repetitions);
        else if (type == typeof(short)) Widen<short>(group, count, definitions, repetitions);
        else if (type == typeof(sbyte)) Widen<sbyte>(group, count, definitions, repetitions);
        else if (type == typeof(byte)) Widen<byte>(group, count, definitions, repetitions);
        else if (type == typeof(ushort)) Widen<ushort>(group, count, definitions, repetitions);
        else Widen<uint>(group, count, definitions, repetitions);
        ApplyLevels(definitions, repetitions, rows);
    }

    private static ParquetKind KindOf(Type type) =>
        type == typeof(bool) ? ParquetKind.Boolean
        : type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(sbyte)
            || type == typeof(byte) || type == typeof(ushort) || type == typeof(uint) ? ParquetKind.Integer
        : type == typeof(double) || type == typeof(float) ? ParquetKind.Real
        : IsText(type) ? ParquetKind.Text
        : ParquetKind.Unsupported;

    // Parquet.Net describes a string column read from a file as ReadOnlyMemory<char>, one it writes as string.
    private static bool IsText(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);

    private static string NameOf(Type type) => IsText(type) ? nameof(String) : type.Name;

    /// <summary>Works out each row's range of packed values, and its nulls, from the levels.</summary>
    private void ApplyLevels(Memory<int>? definitionMemory, Memory<int>? repetitionMemory, int rows)
    {
        if (definitionMemory is not { } definitionLevels)
        {
            _starts = null;
            return;
        }
        ReadOnlySpan<int> definitions = definitionLevels.Span;
        ReadOnlySpan<int> repetitions = repetitionMemory is { } r ? r.Span : default;
        _starts = Grow(_starts ?? [], rows + 1);
        _nulls = Grow(_nulls, rows);
        int maxLevel = _field!.MaxDefinitionLevel;
        int row = -1, value = 0, slot = 0;
        for (int i = 0; i < definitions.Length; i++)
        {
            if (repetitions.IsEmpty || repetitions[i] == 0)
            {
                if (++row == rows)
                    throw new InvalidOperationException($"column '{_field.Name}' has more than the row group's {rows} rows");
                _starts[row] = value;
                _nulls[row] = 0;
                slot = 0;
            }
            int level = definitions[i];
            if (level == maxLevel)
            {
                value++;
                slot++;
            }
            else if (level >= _elementLevel)
            {
                slot++;
                if (_nulls[row] == 0)
                    _nulls[row] = slot;
            }
            else if (level < _emptyLevel)
                _nulls[row] = -1;
        }
        if (row + 1 != rows)
            throw new InvalidOperationException($"column '{_field.Name}' has {row + 1} rows, the row group {rows}");
        _starts[rows] = value;
    }

    private void Widen<T>(ParquetRowGroupReader group, int count, Memory<int>? definitions, Memory<int>? repetitions)
        where T : struct, IBinaryInteger<T>
    {
        Span<T> raw = ReadRaw<T>(group, count, definitions, repetitions);
        Integers = Grow(Integers, count);
        for (int i = 0; i < raw.Length; i++)
            Integers[i] = long.CreateTruncating(raw[i]);
    }

    private Span<T> ReadRaw<T>(ParquetRowGroupReader group, int count, Memory<int>? definitions, Memory<int>? repetitions)
        where T : struct
    {
        T[] raw = Grow(_raw as T[] ?? [], count);
        _raw = raw;
        Read(group, raw.AsMemory(0, count), definitions, repetitions);
        return raw.AsSpan(0, count);
    }

    // Parquet.Net's reader is async only; a file stream completes it synchronously or on the pool.
    private void Read<T>(ParquetRowGroupReader group, Memory<T> values, Memory<int>? definitions, Memory<int>? repetitions)
        where T : struct =>
        group.ReadRawAsync(_field!, values, definitions, repetitions).AsTask().GetAwaiter().GetResult();

    private static T[] Grow<T>(T[] buffer, int count) => buffer.Length >= count ? buffer : new T[count];

    /// <summary>A buffer for <paramref name="count"/> levels, or none when the column has no such levels.</summary>
    private static Memory<int>? Levels(ref int[] buffer, int maxLevel, int count)
    {
        // Not a conditional expression: there a bare null would become an empty Memory (Memory's conversion from arrays).
        if (maxLevel == 0)
            return null;
        buffer = Grow(buffer, count);
        return buffer.AsMemory(0, count);
    }
}
