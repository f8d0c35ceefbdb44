using System;

namespace ModelDsl;

/// <summary>
/// The name of a feature's, label's or sample weight's column in CSV and Parquet files read by the
/// generated <c>ReadCsv</c> and <c>ReadParquet</c>; without it the column is named like the member.
/// </summary>
/// <param name="name">The column name, matched exactly.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, Inherited = false)]
sealed partial class ColumnAttribute(string name) : Attribute
{
    /// <summary>The column name.</summary>
    public string Name { get; } = name;
}
