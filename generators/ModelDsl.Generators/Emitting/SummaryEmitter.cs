using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Emitting;

/// <summary>
/// Emits the model summary (<see cref="ModelSummary"/>) as a <c>&lt;remarks&gt;</c> on a partial declaration of the
/// model class: Roslyn merges it with the user's own documentation, so the IDE shows it on hover over the class name.
/// The declaration carries nothing else: a [GeneratedCode] there would mark the user's class as generated.
/// </summary>
internal static class SummaryEmitter
{
    public static string Emit(ModelSpec spec, ModelLayout layout) =>
        SourceWriter.File(spec, _ => { }, Remarks(spec, layout, new ModelSummary(spec, layout)));

    private static IEnumerable<string> Remarks(ModelSpec spec, ModelLayout layout, ModelSummary s)
    {
        yield return "<remarks>";
        yield return "<para>Model summary (computed by ModelDsl from the spec; docs/dsl.md, \"Model summary\").</para>";
        yield return "<para>Parameters per component:</para>";
        yield return "<list type=\"bullet\">";
        foreach (var part in s.Parts)
            yield return $"<item><description><c>{part.Field}</c>, {part.Name}: {Count(part.Parameters)} parameters{Buffers(part.Buffers)}</description></item>";
        yield return $"<item><description>Total: {Count(s.Parameters)} parameters{Buffers(s.Buffers)}</description></item>";
        yield return "</list>";
        yield return $"<para>Multiply-accumulates per sample: serving {Count(s.ServingMacs)}; training {Count(s.TrainingMacs)} " +
            $"(forward and backward, a matrix product's backward counted as two of its size){(s.Lookups == 0 ? "" : $"; and {Count(s.Lookups)} embedding row lookups")}.</para>";
        yield return $"<para>Memory: weights {Bytes(s.WeightBytes)}; Adam's state {Bytes(s.AdamBytes)} " +
            "(two moments per parameter; lazy Adam keeps them for whole embedding tables).</para>";
        yield return $"<para>ONNX inputs: {string.Join("; ", s.Inputs.Select(i => $"<c>{i.Name}</c> {i.Type} [batch, {i.Columns}]"))}.</para>";
        yield return $"<para>ONNX outputs, float [batch]{(layout.Outputs.Any(o => o.Width > 1) ? " (class probabilities [batch, classes])" : "")}:</para>";
        yield return "<list type=\"bullet\">";
        foreach (var output in layout.Outputs)
            yield return $"<item><description><c>{output.Name}</c>{(output.Width > 1 ? $" [batch, {output.Width}]" : "")}: {RecordsEmitter.Describe(output)}</description></item>";
        yield return "</list>";
        yield return "</remarks>";
    }

    private static string Buffers(long values) => values == 0 ? "" : $" and {Count(values)} buffer values";

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Bytes in the largest binary unit that keeps the figure at least 1.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
        var (value, unit) = ((double)bytes, 0);
        while (value >= 1024 && unit < units.Length - 1)
            (value, unit) = (value / 1024, unit + 1);
        return unit == 0 ? $"{bytes} bytes" : value.ToString("0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
