namespace ModelDsl.Generators.Parsing;

/// <summary>
/// What a <see cref="SpecLocations"/> entry locates. <see cref="Owner"/> is a member's name, or a
/// class-level attribute's owner (<see cref="SpecLocations.Architecture"/>, …); <see cref="Name"/> names an
/// argument, and <see cref="Index"/> an element of it.
/// </summary>
internal readonly record struct SpecKey(SpecKey.Part Of, string Owner, string Name = "", int Index = -1)
{
    internal enum Part
    {
        Member,
        MemberType,
        Attribute,
        Argument,
        Element,
        Column,
    }

    /// <summary>A member's name.</summary>
    public static SpecKey Member(string member) => new(Part.Member, member);

    /// <summary>A member's declared type.</summary>
    public static SpecKey TypeOf(string member) => new(Part.MemberType, member);

    /// <summary>The whole attribute of an owner.</summary>
    public static SpecKey Attribute(string owner) => new(Part.Attribute, owner);

    /// <summary>A named argument, or the constructor's <c>params</c> array.</summary>
    public static SpecKey Argument(string owner, string argument) => new(Part.Argument, owner, argument);

    /// <summary>An element of an array argument.</summary>
    public static SpecKey Element(string owner, string argument, int index) => new(Part.Element, owner, argument, index);

    /// <summary>A member's <c>[Column]</c>.</summary>
    public static SpecKey Column(string member) => new(Part.Column, member);
}
