using System;

namespace ModelDsl;

/// <summary>
/// Where a feature's, label's or sample weight's column is in CSV and Parquet files read by the generated
/// <c>ReadCsv</c> and <c>ReadParquet</c>: its name in the header (without one, the column is named like
/// the member), or its field in a CSV file without a header (<c>CsvOptions.HasHeader = false</c>; without
/// one, columns are read in declaration order).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
sealed partial class ColumnAttribute : Attribute
{
    /// <summary>Names the column.</summary>
    /// <param name="name">The column name, matched exactly.</param>
    public ColumnAttribute(string name) => Name = name;

    /// <summary>Places the column by <see cref="Index"/> alone, for files without a header.</summary>
    public ColumnAttribute() { }

    /// <summary>The column name, or null when the column is placed by <see cref="Index"/>.</summary>
    public string? Name { get; }

    /// <summary>
    /// The column's 0-based field in a CSV file without a header; −1 (unset) reads columns in declaration
    /// order. Set on every member or on none. A file with a header finds the column by the member's name.
    /// </summary>
    public int Index { get; set; } = -1;
}
