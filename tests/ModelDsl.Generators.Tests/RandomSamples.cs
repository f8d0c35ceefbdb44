using System;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Random samples of a compiled model class, built through reflection from its members' attributes:
/// ids within the vocabulary, and outside it (negative, beyond, extreme) one time in four where an
/// out-of-vocabulary policy maps them; strings, sometimes empty; sequences up to MaxLength, or longer
/// where they are truncated; numbers in [−0.9, 3], inside Log1p's domain; binary labels 0 or 1; class
/// labels among the task's classes; sample weights 0 to 3.
/// </summary>
internal static class RandomSamples
{
    public static Array Create(Type type, int count, Random random)
    {
        var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance).Where(m => m is FieldInfo or PropertyInfo).ToArray();
        // One member in eight holds one value in every sample: a feature that never varies, a task with one label, weights all 0.
        var constants = members.Select(m => random.Next(8) == 0 ? Value(m, TypeOf(m), random) : null).ToArray();
        var samples = Array.CreateInstance(type, count);
        for (var i = 0; i < count; i++)
        {
            var sample = Activator.CreateInstance(type)!;
            for (var m = 0; m < members.Length; m++)
                if ((constants[m] ?? Value(members[m], TypeOf(members[m]), random)) is { } value)
                    Set(members[m], sample, value);
            samples.SetValue(sample, i);
        }
        return samples;
    }

    private static Type TypeOf(MemberInfo member) => member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;

    private static void Set(MemberInfo member, object sample, object value)
    {
        if (member is PropertyInfo p)
            p.SetValue(sample, value);
        else
            ((FieldInfo)member).SetValue(sample, value);
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
        if (member.GetCustomAttribute<MulticlassTaskAttribute>() is { } multiclass)
            return type.IsEnum
                ? Enum.ToObject(type, random.Next(Enum.GetValues(type).Length))
                : random.Next(multiclass.Classes);
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
            return random.Next(10) == 0 ? "" : "s" + random.Next(2 * (feature.Learned ? feature.MaxSize : feature.Vocabulary)).ToString(CultureInfo.InvariantCulture);
        // A learned vocabulary takes any id: raw ids far apart, some never seen twice.
        if (feature.Learned)
            return Convert(1000 * random.Next(2 * feature.MaxSize) - 500, type);
        if (feature.OutOfVocabulary == OutOfVocabulary.Error || random.Next(4) != 0)
            return Convert(random.Next(feature.Vocabulary), type);
        return random.Next(4) switch
        {
            0 => Convert(-1 - random.Next(50), type),
            1 when type == typeof(long) => random.Next(2) == 0 ? long.MinValue : long.MaxValue,
            _ => Convert(feature.Vocabulary + random.Next(50), type),
        };
    }

    private static double Number(Random random) => random.NextDouble() * 3.9 - 0.9;

    private static object Convert(double value, Type type) => System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
}
