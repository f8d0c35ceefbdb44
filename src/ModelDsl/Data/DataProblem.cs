using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelDsl.Data;

/// <summary>The wording of data file errors, shared by the CSV and Parquet readers so both say the same.</summary>
internal static class DataProblem
{
    public const string NotANumber = "is not a number";
    public const string NotFinite = "is not a finite number";
    public const string NotAnInteger = "is not an integer";
    public const string NotALabel = "is not a binary label: it must be 0 or 1";
    public const string NotAClass = "is not a class";
    public const string SingleRange = "is outside the Single range";
    public const string Int32Range = "is outside the Int32 range";
    public const string Int64Range = "is outside the Int64 range";

    private const int MaxShown = 60;

    /// <summary>"'abc' is not a number", or "the value is empty".</summary>
    public static string Value(ReadOnlySpan<char> text, string predicate) =>
        text.IsEmpty ? "the value is empty" : $"{Quote(text)} {predicate}";

    /// <summary>A missing-value marker where the member cannot be missing.</summary>
    public static string Missing(ReadOnlySpan<char> text) =>
        $"{Quote(text)} is a missing value (CsvOptions.MissingValues), and the member cannot be missing: declare it nullable (float?, long?, string?) to give it a missing policy (a sequence: Missing = Category or Empty)";

    /// <summary>"element 2 of 3, 'x', is not an integer", or "element 2 of 3 is empty"; <paramref name="index"/> is 0-based.</summary>
    public static string Element(int index, int count, ReadOnlySpan<char> text, string predicate) =>
        text.IsEmpty ? $"element {index + 1} of {count} is empty" : $"element {index + 1} of {count}, {Quote(text)}, {predicate}";

    /// <summary>"element 2 of 3, NaN, is not a finite number" for a typed (Parquet) value.</summary>
    public static string Element(int index, int count, string value, string predicate) =>
        $"element {index + 1} of {count}, {value}, {predicate}";

    /// <summary>"the text is not valid UTF-8: byte 0xE9 follows 'caf'…" for the marker <see cref="CsvText"/> left at <paramref name="index"/>.</summary>
    public static string NotUtf8(ReadOnlySpan<char> text, int index)
    {
        string where = index == 0 ? "starts the text" : $"follows {Quote(text[Math.Max(0, index - MaxShown)..index])}";
        return $"the text is not valid UTF-8: byte 0x{text[index] - 0xDC00:X2} {where} (as in a file saved as Latin-1 or Windows-1252); save the file as UTF-8";
    }

    /// <summary>The message for a column the file does not have; <paramref name="holder"/> is "the header has" or "the file has".</summary>
    public static string MissingColumn(string path, string column, IReadOnlyList<string> present, string holder) =>
        present.Count == 0
            ? $"{path}: column '{column}' is missing; {holder} no columns."
            : $"{path}: column '{column}' is missing; {holder}: {string.Join(", ", present.Take(50).Select(n => $"'{n}'"))}{(present.Count > 50 ? ", …" : "")}.";

    private static string Quote(ReadOnlySpan<char> text) =>
        text.Length <= MaxShown ? $"'{text}'" : $"'{text[..MaxShown]}…'";
}
