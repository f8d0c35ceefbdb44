using System;
using System.Linq;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelDsl.Hosting;

/// <summary>
/// The values inside predictions. A generated <c>Prediction</c> is a record struct of one float per output, in
/// <see cref="ModelSchema.Outputs"/> order, so a span of predictions is a span of floats; with a multiclass task it
/// also holds the most likely class and a float array of class probabilities, read through its properties.
/// </summary>
internal static class Outputs<TPrediction>
    where TPrediction : struct
{
    private static readonly bool AllFloats = typeof(TPrediction)
        .GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        .All(f => f.FieldType == typeof(float));

    /// <summary>The float and float[] properties in declaration order: one per output (the class member of a multiclass task is neither).</summary>
    private static readonly PropertyInfo[] Values = typeof(TPrediction)
        .GetProperties(BindingFlags.Instance | BindingFlags.Public)
        .Where(p => p.PropertyType == typeof(float) || p.PropertyType == typeof(float[]))
        .ToArray();

    /// <summary>Each output's values of a prediction; built only for predictions that are not all floats.</summary>
    private static readonly Lazy<Func<TPrediction, float[]>[]> Getters = new(() => Values.Select(Getter).ToArray());

    /// <summary>Throws unless <typeparamref name="TPrediction"/> holds exactly the schema's outputs.</summary>
    public static void Check(ModelSchema schema)
    {
        var fits = AllFloats
            ? Unsafe.SizeOf<TPrediction>() == schema.Outputs.Count * sizeof(float)
            : Values.Length == schema.Outputs.Count && Values.Select((p, o) => p.Name == schema.Outputs[o].Name
                && p.PropertyType == (schema.Outputs[o].Width == 1 ? typeof(float) : typeof(float[]))).All(x => x);
        if (!fits)
            throw new InvalidOperationException(
                $"{typeof(TPrediction)} is not the generated Prediction of {schema.Name}: it must hold one float per output ({schema.Outputs.Count}), a float array for class probabilities.");
    }

    /// <summary>The first NaN or infinity as (candidate, output index), or null when every value is finite.</summary>
    public static (int Candidate, int Output, float Value)? FirstNonFinite(ReadOnlySpan<TPrediction> predictions)
    {
        if (!AllFloats)
            return FirstNonFiniteOfProperties(predictions);
        var values = MemoryMarshal.Cast<TPrediction, float>(predictions);
        var outputs = values.Length / Math.Max(predictions.Length, 1);
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                return (i / outputs, i % outputs, values[i]);
        }
        return null;
    }

    private static (int Candidate, int Output, float Value)? FirstNonFiniteOfProperties(ReadOnlySpan<TPrediction> predictions)
    {
        var getters = Getters.Value;
        for (var i = 0; i < predictions.Length; i++)
            for (var o = 0; o < getters.Length; o++)
                foreach (var value in getters[o](predictions[i]))
                    if (!float.IsFinite(value))
                        return (i, o, value);
        return null;
    }

    /// <summary>A property's values as an array: the array itself, or a float in one of its own.</summary>
    private static Func<TPrediction, float[]> Getter(PropertyInfo property)
    {
        var prediction = Expression.Parameter(typeof(TPrediction));
        Expression value = Expression.Property(prediction, property);
        if (property.PropertyType == typeof(float))
            value = Expression.NewArrayInit(typeof(float), value);
        return Expression.Lambda<Func<TPrediction, float[]>>(value, prediction).Compile();
    }
}
