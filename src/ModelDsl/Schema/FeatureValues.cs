using System;
using System.ComponentModel;
using System.Globalization;

namespace ModelDsl;

/// <summary>
/// Checks and conversions the generated <c>Features.Encode</c> calls for each value; one place, so
/// training and serving encode a value identically.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class FeatureValues
{
    /// <summary>An id of a categorical feature, checked against its vocabulary.</summary>
    public static long Categorical(long id, int vocabulary, string member) =>
        (ulong)id < (ulong)vocabulary
            ? id
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {id} is outside its vocabulary: ids must be in [0, {vocabulary})."));

    /// <summary>The id of a sequence column past the end of its sequence: the network ignores it.</summary>
    public const long Padding = -1;

    /// <summary>An id of a categorical feature; one outside its vocabulary is handled by <paramref name="policy"/>.</summary>
    public static long Categorical(long id, int vocabulary, OutOfVocabulary policy, string member) =>
        (ulong)id < (ulong)vocabulary ? id : policy switch
        {
            OutOfVocabulary.Hash => StableHash.Index(id, vocabulary),
            OutOfVocabulary.Reserved => vocabulary,
            _ => Categorical(id, vocabulary, member),
        };

    /// <summary>A nullable id: a missing one (null) takes the extra row at index <paramref name="vocabulary"/>, which learns "missing"; others as <see cref="Categorical(long, int, OutOfVocabulary, string)"/>.</summary>
    public static long CategoricalOrMissing(long? id, int vocabulary, OutOfVocabulary policy, string member) =>
        id is { } value ? Categorical(value, vocabulary, policy, member) : vocabulary;

    /// <summary>
    /// A string categorical feature, hashed into its vocabulary with <see cref="StableHash"/> without its surrounding
    /// white space: " Private" (as a ", "-separated file writes it) and "Private" (as a caller sends it) are one value.
    /// </summary>
    public static long Hashed(string? value, int vocabulary, string member) =>
        StableHash.Index(Trimmed(value ?? throw NullString(member)), vocabulary);

    /// <summary>
    /// A string of a learned vocabulary as it is counted, looked up and fed to the model's <c>strings</c> input: without its
    /// surrounding white space (allocating only when it has some).
    /// </summary>
    public static string LearnedString(string? value, string member) => Trimmed(value ?? throw NullString(member));

    /// <summary>The error for a null string feature value.</summary>
    internal static ModelDataException NullString(string member) =>
        new($"{member} is null; a string feature needs a value (an empty string is one), or a nullable member (string?) for a missing one.");

    /// <summary>A nullable categorical feature: a missing value (null) takes the extra row at index <paramref name="vocabulary"/>, which learns "missing".</summary>
    public static long HashedOrMissing(string? value, int vocabulary) =>
        value is null ? vocabulary : StableHash.Index(Trimmed(value), vocabulary);

    /// <summary>The string a hashed value stands for: without surrounding white space, and without allocating when it has none.</summary>
    internal static string Trimmed(string value) =>
        value.Length > 0 && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])) ? value.Trim() : value;

    /// <summary>A sequence of ids, checked and written into its columns; columns past its end get <see cref="Padding"/>.</summary>
    public static void Sequence(long[]? ids, Span<long> columns, int vocabulary, OutOfVocabulary policy, SequenceTruncation truncation, string member) =>
        Sequence<long>(ids, columns, vocabulary, policy, truncation, member);

    /// <summary>A sequence of ids, checked and written into its columns; columns past its end get <see cref="Padding"/>.</summary>
    public static void Sequence(int[]? ids, Span<long> columns, int vocabulary, OutOfVocabulary policy, SequenceTruncation truncation, string member) =>
        Sequence<int>(ids, columns, vocabulary, policy, truncation, member);

    /// <summary>A sequence of strings, hashed into its vocabulary and written into its columns; columns past its end get <see cref="Padding"/>.</summary>
    public static void Sequence(string?[]? values, Span<long> columns, int vocabulary, SequenceTruncation truncation, string member)
    {
        var kept = Kept(values?.Length, columns.Length, truncation, member);
        for (var i = 0; i < kept.Length; i++)
        {
            var index = kept.Offset + i;
            // The element's name is built only for the error: this runs for every value trained on or served.
            columns[i] = values![index] is { } value
                ? StableHash.Index(Trimmed(value), vocabulary)
                : Hashed(null, vocabulary, string.Create(CultureInfo.InvariantCulture, $"{member}[{index}]"));
        }
        columns[kept.Length..].Fill(Padding);
    }

    /// <summary>A sequence of ids that may be missing (null): <paramref name="missing"/> says what that is.</summary>
    public static void Sequence(long[]? ids, Span<long> columns, int vocabulary, OutOfVocabulary policy, SequenceTruncation truncation, MissingValue missing, string member)
    {
        if (ids is not null || !IsMissingSequence(columns, vocabulary, missing))
            Sequence<long>(ids, columns, vocabulary, policy, truncation, member);
    }

    /// <summary>A sequence of ids that may be missing (null): <paramref name="missing"/> says what that is.</summary>
    public static void Sequence(int[]? ids, Span<long> columns, int vocabulary, OutOfVocabulary policy, SequenceTruncation truncation, MissingValue missing, string member)
    {
        if (ids is not null || !IsMissingSequence(columns, vocabulary, missing))
            Sequence<int>(ids, columns, vocabulary, policy, truncation, member);
    }

    /// <summary>A sequence of strings that may be missing (null): <paramref name="missing"/> says what that is.</summary>
    public static void Sequence(string?[]? values, Span<long> columns, int vocabulary, SequenceTruncation truncation, MissingValue missing, string member)
    {
        if (values is not null || !IsMissingSequence(columns, vocabulary, missing))
            Sequence(values, columns, vocabulary, truncation, member);
    }

    /// <summary>
    /// Writes a missing sequence by its policy: one value, the extra row at index <paramref name="vocabulary"/>
    /// (<see cref="MissingValue.Category"/>), or none (<see cref="MissingValue.Empty"/>). False for
    /// <see cref="MissingValue.Error"/>, which the caller reports.
    /// </summary>
    private static bool IsMissingSequence(Span<long> columns, int vocabulary, MissingValue missing)
    {
        if (missing == MissingValue.Error)
            return false;
        columns.Fill(Padding);
        if (missing == MissingValue.Category)
            columns[0] = vocabulary;
        return true;
    }

    private static void Sequence<T>(T[]? ids, Span<long> columns, int vocabulary, OutOfVocabulary policy, SequenceTruncation truncation, string member)
        where T : System.Numerics.IBinaryInteger<T>
    {
        var kept = Kept(ids?.Length, columns.Length, truncation, member);
        for (var i = 0; i < kept.Length; i++)
        {
            var index = kept.Offset + i;
            var id = long.CreateTruncating(ids![index]);
            columns[i] = (ulong)id < (ulong)vocabulary
                ? id
                : Categorical(id, vocabulary, policy, string.Create(CultureInfo.InvariantCulture, $"{member}[{index}]"));
        }
        columns[kept.Length..].Fill(Padding);
    }

    /// <summary>Which values of a sequence of <paramref name="length"/> fit in <paramref name="maxLength"/> columns.</summary>
    private static (int Offset, int Length) Kept(int? length, int maxLength, SequenceTruncation truncation, string member) => length switch
    {
        null => throw new ModelDataException($"{member} is null; a sequence feature needs an array (an empty one for no values)."),
        var n when n <= maxLength => (0, n.Value),
        var n => truncation switch
        {
            SequenceTruncation.KeepFirst => (0, maxLength),
            SequenceTruncation.KeepLast => (n.Value - maxLength, maxLength),
            _ => throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} has {n} values, more than its MaxLength of {maxLength}; shorten it or set Truncation = KeepFirst or KeepLast.")),
        },
    };

    /// <summary>
    /// A numeric feature value for a transform, checked to be finite and, for <see cref="NumericTransform.Log1p"/>,
    /// greater than −1 as the float the network computes with: −0.99999999 rounds to −1, whose Log1p is −∞.
    /// </summary>
    public static float Numeric(double value, string member, NumericTransform transform)
    {
        var single = Numeric(value, member);
        return (transform & NumericTransform.Log1p) == 0 || single > -1
            ? single
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {value} is outside the domain of Log1p: values must be greater than -1{(value > -1 ? ", and as a 32-bit float it is -1" : "")}."));
    }

    /// <summary>A numeric feature value, checked to be finite as the float the network computes with (1e300 is +∞ there).</summary>
    public static float Numeric(double value, string member) =>
        float.IsFinite((float)value)
            ? (float)value
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {value} is not a finite number{AsSingle(value)}."));

    /// <summary>A numeric array feature, checked for its length and finite values, copied into its columns.</summary>
    public static void Numeric(float[]? values, Span<float> columns, string member) =>
        Numeric<float>(values, columns, member);

    /// <summary>A numeric array feature, checked for its length and finite values, copied into its columns.</summary>
    public static void Numeric(double[]? values, Span<float> columns, string member) =>
        Numeric<double>(values, columns, member);

    /// <summary>A numeric array feature for a transform, checked like a value for that transform, copied into its columns.</summary>
    public static void Numeric(float[]? values, Span<float> columns, string member, NumericTransform transform) =>
        Numeric<float>(values, columns, member, transform);

    /// <summary>A numeric array feature for a transform, checked like a value for that transform, copied into its columns.</summary>
    public static void Numeric(double[]? values, Span<float> columns, string member, NumericTransform transform) =>
        Numeric<double>(values, columns, member, transform);

    private static void Numeric<T>(T[]? values, Span<float> columns, string member, NumericTransform transform = NumericTransform.None) where T : System.Numerics.INumber<T>
    {
        if (values is null || values.Length != columns.Length)
            throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} has {(values is null ? "no array" : $"{values.Length} values")}; it must have exactly {columns.Length} (its Size)."));
        for (var i = 0; i < values.Length; i++)
        {
            var value = double.CreateTruncating(values[i]);
            var single = (float)value;
            // The element's name is built only for the error: this runs for every value trained on or served.
            columns[i] = float.IsFinite(single) && ((transform & NumericTransform.Log1p) == 0 || single > -1)
                ? single
                : Numeric(value, string.Create(CultureInfo.InvariantCulture, $"{member}[{i}]"), transform);
        }
    }

    /// <summary>A binary label given as a number, checked to be 0 or 1.</summary>
    public static float BinaryLabel(double value, string member) =>
        value is 0 or 1
            ? (float)value
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {value} is not a binary label: it must be 0 or 1."));

    /// <summary>A multiclass label (an <c>int</c>, or an enum's number), checked to be a class index in [0, <paramref name="classes"/>).</summary>
    public static float ClassLabel(int value, int classes, string member) =>
        (uint)value < (uint)classes
            ? value
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {value} is not a class: it must be at least 0 and less than {classes} (Classes)."));

    /// <summary>A sample weight, checked to be finite as a float, like <see cref="Numeric(double, string)"/>, and not negative.</summary>
    public static float SampleWeight(double value, string member) =>
        float.IsFinite((float)value) && value >= 0
            ? (float)value
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {value} is not a valid sample weight: it must be finite{AsSingle(value)} and not negative."));

    /// <summary>A regression label, checked to be finite as a float, like <see cref="Numeric(double, string)"/>.</summary>
    public static float RegressionLabel(double value, string member) =>
        float.IsFinite((float)value)
            ? (float)value
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {value} is not a finite label{AsSingle(value)}."));

    /// <summary>Why a finite double is not finite where the network computes: as a float it overflows.</summary>
    private static string AsSingle(double value) => double.IsFinite(value) && !float.IsFinite((float)value) ? " as a 32-bit float (beyond ±3.4e38)" : "";
}
