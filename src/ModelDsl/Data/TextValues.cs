using System;
using System.Globalization;
using csFastFloat;

namespace ModelDsl.Data;

/// <summary>
/// Parses CSV cells and array elements with the invariant culture and without allocating. Each parser
/// returns null on success, otherwise the <see cref="DataProblem"/> predicate that says what is wrong.
/// </summary>
internal static class TextValues
{
    public delegate string? Parser<T>(ReadOnlySpan<char> text, out T value);

    public static string? ParseSingle(ReadOnlySpan<char> text, out float value)
    {
        // csFastFloat is several times faster than float.TryParse; the fallback takes what it leaves (spaces).
        bool parsed = FastFloatParser.TryParseFloat(text, out int consumed, out value) && consumed == text.Length
            || float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        return !parsed ? DataProblem.NotANumber
            : float.IsFinite(value) ? null
            : ParseDouble(text, out _) is null ? DataProblem.SingleRange : DataProblem.NotFinite;
    }

    public static string? ParseDouble(ReadOnlySpan<char> text, out double value)
    {
        bool parsed = FastDoubleParser.TryParseDouble(text, out int consumed, out value) && consumed == text.Length
            || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        return !parsed ? DataProblem.NotANumber : double.IsFinite(value) ? null : DataProblem.NotFinite;
    }

    public static string? ParseInt64(ReadOnlySpan<char> text, out long value)
    {
        if (TryParseDigits(text, out value)
            || long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value))
            return null;
        return IsIntegerSyntax(text) ? DataProblem.Int64Range : DataProblem.NotAnInteger;
    }

    public static string? ParseInt32(ReadOnlySpan<char> text, out int value)
    {
        string? problem = ParseInt64(text, out long wide);
        value = (int)wide;
        return problem is not null ? (problem == DataProblem.Int64Range ? DataProblem.Int32Range : problem)
            : value == wide ? null : DataProblem.Int32Range;
    }

    public static string? ParseLabel(ReadOnlySpan<char> text, out bool value)
    {
        value = text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase);
        if (value || text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase))
            return null;
        // Numbers equal to 0 or 1 ("1.0", as float label columns are often written) are labels too.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number is 0 or 1)
        {
            value = number == 1;
            return null;
        }
        return DataProblem.NotALabel;
    }

    public static string? ParseString(ReadOnlySpan<char> text, out string value)
    {
        value = text.ToString();
        return null;
    }

    /// <summary>The common case, an optional '-' and up to 18 digits (cannot overflow), without long.TryParse's generality.</summary>
    private static bool TryParseDigits(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        int start = text.Length > 0 && text[0] == '-' ? 1 : 0;
        if (text.Length == start || text.Length - start > 18)
            return false;
        long result = 0;
        for (int i = start; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9)
                return false;
            result = result * 10 + digit;
        }
        value = start == 1 ? -result : result;
        return true;
    }

    private static bool IsIntegerSyntax(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.Length > 0 && text[0] is '-' or '+')
            text = text[1..];
        return !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');
    }
}
