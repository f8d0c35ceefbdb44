using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace ModelDsl.Generators.Model;

/// <summary>The element types a DSL member may have.</summary>
internal enum ElementType
{
    Bool,
    Int,
    Long,
    Float,
    Double,
    String,
}

/// <summary>A DSL member's type: an element type, alone, as a one-dimensional array, or as a nullable value type (<c>float?</c>).</summary>
internal readonly record struct MemberType(ElementType Element, bool IsArray = false, bool IsNullable = false)
{
    /// <summary>As C# writes it: <c>long</c>, <c>string[]</c>, <c>float?</c>.</summary>
    public string Keyword => ElementTypes.Of(Element).Keyword + (IsArray ? "[]" : "") + (IsNullable ? "?" : "");

    public bool IsString => Element == ElementType.String;

    /// <summary>The <c>DataRow</c> getter that reads a file column of this type.</summary>
    public string Reader => IsArray ? ElementTypes.Of(Element).ArrayReader! : ElementTypes.Of(Element).Reader;

    /// <summary>The type of a symbol, or null when the DSL has no such member type (a <c>bool[]</c>, a jagged array, a class).</summary>
    public static MemberType? Of(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol { Rank: 1, ElementType: var element } => ElementTypes.Of(element.SpecialType) is { } e && ElementTypes.Of(e).ArrayReader is not null ? new MemberType(e, IsArray: true) : null,
        INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments.Length: 1 } nullable =>
            ElementTypes.Of(nullable.TypeArguments[0].SpecialType) is { } v ? new MemberType(v, IsNullable: true) : null,
        _ => ElementTypes.Of(type.SpecialType) is { } scalar ? new MemberType(scalar) : null,
    };

    public override string ToString() => Keyword;
}

/// <summary>
/// The one table of element types: each one's C# keyword, its Roslyn special type, the <c>DataRow</c>
/// getters that read it from a file, and how a binary label of that type converts from and to a bool.
/// </summary>
internal static class ElementTypes
{
    /// <param name="FromBool">How a <c>bool</c> expression <c>{0}</c> becomes this type (a binary label read from a file), or null where no binary label has this type.</param>
    /// <param name="BinaryLabel">How a binary label member <c>{0}</c> of this type becomes the trainer's float, or null for the runtime's checked <c>FeatureValues.BinaryLabel</c>.</param>
    public sealed record Row(string Keyword, SpecialType Special, string Reader, string? ArrayReader, string? FromBool, string? BinaryLabel);

    private static readonly Dictionary<ElementType, Row> Rows = new()
    {
        [ElementType.Bool] = new("bool", SpecialType.System_Boolean, "GetBoolean", null, "{0}", "{0} ? 1f : 0f"),
        [ElementType.Int] = new("int", SpecialType.System_Int32, "GetInt32", "GetInt32Array", "{0} ? 1 : 0", null),
        [ElementType.Long] = new("long", SpecialType.System_Int64, "GetInt64", "GetInt64Array", null, null),
        [ElementType.Float] = new("float", SpecialType.System_Single, "GetSingle", "GetSingleArray", "{0} ? 1f : 0f", null),
        [ElementType.Double] = new("double", SpecialType.System_Double, "GetDouble", "GetDoubleArray", "{0} ? 1d : 0d", null),
        [ElementType.String] = new("string", SpecialType.System_String, "GetString", "GetStringArray", null, null),
    };

    public static Row Of(ElementType element) => Rows[element];

    public static ElementType? Of(SpecialType special)
    {
        foreach (var row in Rows)
            if (row.Value.Special == special)
                return row.Key;
        return null;
    }
}
