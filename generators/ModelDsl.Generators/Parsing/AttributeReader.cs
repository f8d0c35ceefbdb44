using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace ModelDsl.Generators.Parsing;

/// <summary>
/// Reads a DSL attribute's arguments. An attribute with a compiler error (a wrong type, an unknown
/// identifier or argument, no matching constructor), or an argument that is not of the expected type,
/// reads as the caller's <c>neutral</c> values, which no rule rejects, and sets <see cref="HasErrors"/>.
/// So the generator neither repeats or distorts the compiler's error nor emits code from a guess.
/// </summary>
internal sealed class AttributeReader
{
    private readonly AttributeData _attribute;

    /// <summary>No argument can be trusted; without a constructor the compiler drops them all.</summary>
    private readonly bool _unbound;

    public AttributeReader(AttributeData attribute, bool hasErrors)
    {
        _attribute = attribute;
        _unbound = hasErrors || attribute.AttributeConstructor is null;
        HasErrors = _unbound;
    }

    public bool HasErrors { get; private set; }

    public int Int(string name, int @default, int neutral)
    {
        if (_unbound)
            return neutral;
        if (!Find(name, out var c))
            return @default;
        return c is { Kind: TypedConstantKind.Primitive, Value: int value } ? value : Unreadable(neutral);
    }

    public double Double(string name, double @default, double neutral)
    {
        if (_unbound)
            return neutral;
        if (!Find(name, out var c))
            return @default;
        return c is { Kind: TypedConstantKind.Primitive, Value: double value } ? value : Unreadable(neutral);
    }

    public bool Bool(string name)
    {
        if (_unbound || !Find(name, out var c))
            return false;
        return c is { Kind: TypedConstantKind.Primitive, Value: bool value } ? value : Unreadable(false);
    }

    /// <summary>A string argument; absent or <c>null</c> reads as empty.</summary>
    public string? String(string name, string? neutral)
    {
        if (_unbound)
            return neutral;
        if (!Find(name, out var c))
            return "";
        return c.Kind == TypedConstantKind.Primitive && c.Value is null or string ? (string?)c.Value ?? "" : Unreadable(neutral);
    }

    /// <summary>An <c>int[]</c> argument; absent or <c>null</c> reads as empty.</summary>
    public ImmutableArray<int> Ints(string name, ImmutableArray<int> neutral)
    {
        if (_unbound)
            return neutral;
        if (!Find(name, out var c))
            return ImmutableArray<int>.Empty;
        return IntsOf(c) ?? Unreadable(neutral);
    }

    /// <summary>An enum argument as its underlying <c>int</c>, or null when it is absent or unreadable.</summary>
    public int? Enum(string name)
    {
        if (_unbound || !Find(name, out var c))
            return null;
        return c is { Kind: TypedConstantKind.Enum, Value: int value } ? value : Unreadable<int?>(null);
    }

    /// <summary>The sole constructor argument, an <c>int[]</c> (a <c>params</c> array).</summary>
    public ImmutableArray<int> ConstructorInts(ImmutableArray<int> neutral) =>
        !_unbound && _attribute.ConstructorArguments.Length == 1 && IntsOf(_attribute.ConstructorArguments[0]) is { } units
            ? units
            : Unreadable(neutral);

    /// <summary>The sole constructor argument, a <c>string[]</c> (a <c>params</c> array); a null element reads as empty.</summary>
    public ImmutableArray<string> ConstructorStrings(ImmutableArray<string> neutral) =>
        !_unbound && _attribute.ConstructorArguments.Length == 1 && _attribute.ConstructorArguments[0] is { Kind: TypedConstantKind.Array } array
            && (array.IsNull || array.Values.All(v => v is { Kind: TypedConstantKind.Primitive, Value: null or string }))
            ? array.IsNull ? ImmutableArray<string>.Empty : array.Values.Select(v => (string?)v.Value ?? "").ToImmutableArray()
            : Unreadable(neutral);

    private bool Find(string name, out TypedConstant constant)
    {
        foreach (var pair in _attribute.NamedArguments)
        {
            if (pair.Key == name)
            {
                constant = pair.Value;
                return true;
            }
        }
        constant = default;
        return false;
    }

    private static ImmutableArray<int>? IntsOf(TypedConstant constant)
    {
        if (constant.Kind != TypedConstantKind.Array)
            return null;
        if (constant.IsNull)
            return ImmutableArray<int>.Empty;
        return constant.Values.All(v => v is { Kind: TypedConstantKind.Primitive, Value: int })
            ? constant.Values.Select(v => (int)v.Value!).ToImmutableArray()
            : null;
    }

    private T Unreadable<T>(T neutral)
    {
        HasErrors = true;
        return neutral;
    }
}
