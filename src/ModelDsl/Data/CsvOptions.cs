using System.Collections.Generic;

namespace ModelDsl.Data;

/// <summary>How <see cref="DataFile.ReadCsv{T}"/> splits a CSV file.</summary>
public sealed record CsvOptions
{
    /// <summary>The field separator; ',' unless set.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>The separator between the elements of an array cell, as in <c>3|17|42</c>; '|' unless set.</summary>
    public char ArraySeparator { get; init; } = '|';

    /// <summary>
    /// Whether the first line names the columns; true unless set. Without a header, columns are found by
    /// position: declaration order, or each member's <c>[Column(Index = n)]</c>.
    /// </summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>
    /// Whether the spaces around each field are dropped, as in a file separated by <c>", "</c>; false unless
    /// set. Spaces inside quotes are kept, and a quote after the spaces opens a quoted field.
    /// </summary>
    public bool TrimFields { get; init; }

    /// <summary>
    /// The cell texts that mean "no value" (after trimming, when <see cref="TrimFields"/> is set), such as
    /// <c>?</c>, <c>NA</c> or the empty string; none unless set. A member declared nullable (<c>float?</c>,
    /// <c>long?</c>, <c>string?</c>) reads such a cell as null, and its feature's missing policy applies; any
    /// other member fails on it, naming the file, the row and the column.
    /// </summary>
    public IReadOnlyList<string> MissingValues { get; init; } = [];
}
