namespace ModelDsl.Data;

/// <summary>How <see cref="DataFile.ReadCsv{T}"/> splits a CSV file. The first line is always the header.</summary>
public sealed record CsvOptions
{
    /// <summary>The field separator; ',' unless set.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>The separator between the elements of an array cell, as in <c>3|17|42</c>; '|' unless set.</summary>
    public char ArraySeparator { get; init; } = '|';
}
