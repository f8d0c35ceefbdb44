using System;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Random samples of a compiled model class, built through reflection from its members' attributes:
/// ids within the vocabulary, and outside it one time in four where an out-of-vocabulary policy maps
/// them; strings; sequences up to MaxLength, or longer where they are truncated; numbers in [−0.9, 3],
/// inside Log1p's domain; binary labels 0 or 1; sample weights 0 to 3.
/// </summary>
internal static class RandomSamples
{
    public static Array Create(Type type, int count, Random random)
    {
        var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance).Where(m => m is FieldInfo or PropertyInfo).ToArray();
        var samples = Array.CreateInstance(type, count);
        for (var i = 0; i < count; i++)
        {
            var sample = Activator.CreateInstance(type)!;
            foreach (var member in members)
            {
                var (memberType, set) = member switch
                {
                    PropertyInfo p => (p.PropertyType, (Action<object?>)(v => p.SetValue(sample, v))),
                    FieldInfo f => (f.FieldType, v => f.SetValue(sample, v)),
                    _ => throw new InvalidOperationException($"{member.Name} is neither a property nor a field"),
                };
                if (Value(member, memberType, random) is { } value)
                    set(value);
            }
            samples.SetValue(sample, i);
        }
        return samples;
    }

    /// <summary>A value for a feature, label or sample weight; null for another member.</summary>
    private static object? Value(MemberInfo member, Type type, Random random)
    {
        if (member.GetCustomAttribute<CategoricalAttribute>() is { } categorical)
            return type.IsArray
                ? Sequence(categorical, type.GetElementType()!, random)
                : Id(categorical, type, random);
        if (member.GetCustomAttribute<NumericAttribute>() is { } numeric)
            return type.IsArray
                ? Sequence(type.GetElementType()!, numeric.Size, () => Convert(Number(random), type.GetElementType()!))
                : Convert(Number(random), type);
        if (member.GetCustomAttribute<BinaryTaskAttribute>() is not null)
            return type == typeof(bool) ? random.Next(2) == 1 : Convert(random.Next(2), type);
        if (member.GetCustomAttribute<RegressionTaskAttribute>() is not null)
            return Convert(random.NextDouble() * 3 - 1, type);
        if (member.GetCustomAttribute<SampleWeightAttribute>() is not null)
            return Convert(random.Next(4), type);
        return null;
    }

    private static Array Sequence(CategoricalAttribute feature, Type element, Random random)
    {
        // Longer than MaxLength only where the surplus is cut off rather than an error.
        var length = random.Next(feature.MaxLength + (feature.Truncation == SequenceTruncation.Error ? 1 : 3));
        return Sequence(element, length, () => Id(feature, element, random));
    }

    private static Array Sequence(Type element, int length, Func<object> value)
    {
        var values = Array.CreateInstance(element, length);
        for (var i = 0; i < length; i++)
            values.SetValue(value(), i);
        return values;
    }

    private static object Id(CategoricalAttribute feature, Type type, Random random)
    {
        if (type == typeof(string))
            return "s" + random.Next(2 * feature.Vocabulary).ToString(CultureInfo.InvariantCulture);
        var id = feature.OutOfVocabulary != OutOfVocabulary.Error && random.Next(4) == 0
            ? (random.Next(2) == 0 ? feature.Vocabulary + random.Next(50) : -1 - random.Next(50))
            : random.Next(feature.Vocabulary);
        return Convert(id, type);
    }

    private static double Number(Random random) => random.NextDouble() * 3.9 - 0.9;

    private static object Convert(double value, Type type) => System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
}
