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

    /// <summary>A numeric feature value, checked to be finite.</summary>
    public static float Numeric(double value, string member) =>
        double.IsFinite(value)
            ? (float)value
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {value} is not a finite number."));

    /// <summary>A numeric array feature, checked for its length and finite values, copied into its columns.</summary>
    public static void Numeric(float[]? values, Span<float> columns, string member) =>
        Numeric<float>(values, columns, member);

    /// <summary>A numeric array feature, checked for its length and finite values, copied into its columns.</summary>
    public static void Numeric(double[]? values, Span<float> columns, string member) =>
        Numeric<double>(values, columns, member);

    private static void Numeric<T>(T[]? values, Span<float> columns, string member) where T : System.Numerics.INumber<T>
    {
        if (values is null || values.Length != columns.Length)
            throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} has {(values is null ? "no array" : $"{values.Length} values")}; it must have exactly {columns.Length} (its Size)."));
        for (var i = 0; i < values.Length; i++)
        {
            var value = double.CreateTruncating(values[i]);
            columns[i] = double.IsFinite(value)
                ? (float)value
                : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture, $"{member}[{i}] = {value} is not a finite number."));
        }
    }

    /// <summary>A binary label given as a number, checked to be 0 or 1.</summary>
    public static float BinaryLabel(double value, string member) =>
        value is 0 or 1
            ? (float)value
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {value} is not a binary label: it must be 0 or 1."));

    /// <summary>A sample weight, checked to be finite and not negative.</summary>
    public static float SampleWeight(double value, string member) =>
        double.IsFinite(value) && value >= 0
            ? (float)value
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {value} is not a valid sample weight: it must be finite and not negative."));

    /// <summary>A regression label, checked to be finite.</summary>
    public static float RegressionLabel(double value, string member) =>
        double.IsFinite(value)
            ? (float)value
            : throw new ModelDataException(string.Create(CultureInfo.InvariantCulture,
                $"{member} = {value} is not a finite label."));
}
