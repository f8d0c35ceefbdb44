using System.Globalization;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>
/// Emits <c>ReadCsv</c> and <c>ReadParquet</c>: streaming readers that map file columns (by name, or by
/// <c>[Column]</c>) to the members of a new sample. Only for classes an object initializer can build.
/// </summary>
internal static class DataEmitter
{
    private const string Row = "global::ModelDsl.Data.DataRow";

    public static string Emit(ModelSpec spec) => SourceWriter.File(spec, w =>
    {
        var model = SourceWriter.Identifier(spec.ClassName);
        var samples = $"global::System.Collections.Generic.IEnumerable<{model}>";
        w.Line("/// <summary>The data file column of each feature, label and sample weight, in declaration order.</summary>");
        w.Line(SourceWriter.GeneratedCode);
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<string> DataColumns {{ get; }} = new[] {{ {string.Join(", ", spec.DataColumns.Select(c => SourceWriter.Literal(c.Column)))} }};");
        w.Line();
        // Fields placed by [Column(Index = n)], for files without a header; otherwise declaration order.
        var placed = spec.DataColumns.Count > 0 && spec.DataColumns.All(c => c.Index >= 0);
        var fields = placed ? ", " + SourceWriter.IntArray(spec.DataColumns.Select(c => c.Index)) : "";
        Reader(w, samples, "ReadCsv", "Streams samples from a CSV file (with a header row unless <c>options.HasHeader</c> is false); each enumeration reads the file again, so it can feed every epoch.",
            "string path, global::ModelDsl.Data.CsvOptions? options = null", $"path, DataColumns, ReadSample, options{fields}");
        Reader(w, samples, "ReadParquet", "Streams samples from a Parquet file, one row group at a time; each enumeration reads the file again.",
            "string path", "path, DataColumns, ReadSample");
        w.Line(SourceWriter.GeneratedCode);
        w.Open($"private static {model} ReadSample({Row} row) => new()");
        for (var i = 0; i < spec.DataColumns.Count; i++)
            w.Line($"{SourceWriter.Identifier(spec.DataColumns[i].Member)} = {Read(spec, spec.DataColumns[i], i)},");
        w.Close(";");
    });

    /// <summary>A public reader: <c>DataFile.{name}</c> bound to this model's columns and <c>ReadSample</c>.</summary>
    private static void Reader(SourceWriter w, string samples, string name, string summary, string parameters, string arguments)
    {
        w.Line($"/// <summary>{summary}</summary>");
        w.Line("/// <exception cref=\"global::ModelDsl.ModelDataException\">A column is missing or a value is bad; the message names file, row and column.</exception>");
        w.Line(SourceWriter.GeneratedCode);
        w.Line($"public static {samples} {name}({parameters}) =>");
        w.Line($"    global::ModelDsl.Data.DataFile.{name}({arguments});");
        w.Line();
    }

    private static string Read(ModelSpec spec, DataColumnSpec column, int index)
    {
        // Binary labels of any type go through GetBoolean, which reports a value other than 0 or 1 with its row.
        if (spec.Tasks.FirstOrDefault(t => t.Name == column.Member && t.Kind == TaskKind.Binary) is { } task)
        {
            var label = task.Positive.Length > 0 ? $"row.GetBoolean({index}, {SourceWriter.Literal(task.Positive)}, {SourceWriter.Literal(task.Negative)})" : $"row.GetBoolean({index})";
            return string.Format(CultureInfo.InvariantCulture, ElementTypes.Of(column.Type.Element).FromBool!, label);
        }
        // Class labels are checked against the task's classes, with the row; an enum's is cast from its number.
        if (spec.Tasks.FirstOrDefault(t => t.Name == column.Member && t.Kind == TaskKind.Multiclass) is { } multiclass)
            return $"{(multiclass.EnumType.Length > 0 ? $"({multiclass.EnumType})" : "")}row.GetClass({index}, {multiclass.ClassCount})";
        // A member that may be missing reads a missing-value marker (a Parquet null) as null.
        var read = $"row.{column.Type.Reader}({index})";
        return column.Type.IsNullable || spec.Features.Any(f => f.Name == column.Member && f.Missing != MissingValue.Error)
            ? $"row.IsMissing({index}) ? null : {read}"
            : read;
    }
}
