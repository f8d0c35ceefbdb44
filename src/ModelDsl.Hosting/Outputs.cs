using System;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelDsl.Hosting;

/// <summary>
/// The values inside predictions. A generated <c>Prediction</c> is a record struct of one float per output, in
/// <see cref="ModelSchema.Outputs"/> order, so a span of predictions is a span of floats.
/// </summary>
internal static class Outputs<TPrediction>
    where TPrediction : struct
{
    private static readonly bool AllFloats = typeof(TPrediction)
        .GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        .All(f => f.FieldType == typeof(float));

    /// <summary>Throws unless <typeparamref name="TPrediction"/> holds exactly the schema's outputs as floats.</summary>
    public static void Check(ModelSchema schema)
    {
        if (!AllFloats || Unsafe.SizeOf<TPrediction>() != schema.Outputs.Count * sizeof(float))
            throw new InvalidOperationException(
                $"{typeof(TPrediction)} is not the generated Prediction of {schema.Name}: it must hold one float per output ({schema.Outputs.Count}).");
    }

    /// <summary>The first NaN or infinity as (candidate, output index), or null when every value is finite.</summary>
    public static (int Candidate, int Output, float Value)? FirstNonFinite(ReadOnlySpan<TPrediction> predictions)
    {
        var values = MemoryMarshal.Cast<TPrediction, float>(predictions);
        var outputs = values.Length / Math.Max(predictions.Length, 1);
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                return (i / outputs, i % outputs, values[i]);
        }
        return null;
    }
}
