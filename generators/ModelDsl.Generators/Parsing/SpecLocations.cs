using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace ModelDsl.Generators.Parsing;

/// <summary>
/// Source locations of the parts of a spec, kept beside it (never inside it, so the spec stays
/// location-free and cacheable) for the validator to point at the offending argument. An argument's
/// key is present exactly when the user wrote the argument, which tells "0" from "not set".
/// </summary>
internal sealed class SpecLocations
{
    private readonly Dictionary<SpecKey, Location> _locations = new();

    public SpecLocations(Location model) => Model = model;

    /// <summary>The class name.</summary>
    public Location Model { get; }

    /// <summary>The direct base class as written in the base list of <paramref name="type"/>.</summary>
    public static Location? BaseClass(INamedTypeSymbol type, CancellationToken ct) =>
        type.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(ct))
            .OfType<TypeDeclarationSyntax>()
            .SelectMany(d => d.BaseList?.Types ?? default)
            .FirstOrDefault(t => RightmostName(t.Type) == type.BaseType?.Name)?
            .GetLocation();

    private static string? RightmostName(TypeSyntax type) => type switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        _ => null,
    };

    public void Add(SpecKey key, Location? location)
    {
        if (location is not null)
            _locations[key] = location;
    }

    /// <summary>
    /// Records an attribute of <paramref name="owner"/>, its named arguments and their array elements;
    /// <paramref name="positional"/> names the constructor's <c>params</c> array, if it has one.
    /// </summary>
    public void AddAttribute(AttributeSyntax? attribute, string owner, string? positional = null)
    {
        if (attribute is null)
            return;
        Add(SpecKey.Attribute(owner), attribute.GetLocation());
        var arguments = attribute.ArgumentList?.Arguments ?? default;
        foreach (var argument in arguments.Where(a => a.NameEquals is not null))
        {
            var name = argument.NameEquals!.Name.Identifier.ValueText;
            Add(SpecKey.Argument(owner, name), argument.GetLocation());
            AddElements(owner, name, ElementsOf(argument.Expression));
        }

        if (positional is null)
            return;
        var values = arguments.Where(a => a.NameEquals is null).ToList();
        if (values.Count == 0)
            return;
        Add(SpecKey.Argument(owner, positional), Location.Create(attribute.SyntaxTree, TextSpan.FromBounds(values[0].SpanStart, values[values.Count - 1].Span.End)));
        // A params array is written either element by element or as one array.
        AddElements(owner, positional, values.Count == 1 && ElementsOf(values[0].Expression) is { } array
            ? array
            : values.Select(v => v.Expression).ToList());
    }

    public bool Has(SpecKey key) => _locations.ContainsKey(key);

    /// <summary>The most precise known location among <paramref name="keys"/>, else the class name.</summary>
    public Location Get(params SpecKey[] keys)
    {
        foreach (var key in keys)
            if (_locations.TryGetValue(key, out var location))
                return location;
        return Model;
    }

    /// <summary>Owner of the architecture attribute's arguments (an owner is a member name, or one of these).</summary>
    public const string Architecture = "@architecture";

    /// <summary>The attribute of a class-level owner, as the user writes it.</summary>
    public static string AttributeName(string owner) => owner switch
    {
        Regularization => KnownAttributes.ShortName(nameof(RegularizationAttribute)),
        LossWeighting => KnownAttributes.ShortName(nameof(LossWeightingAttribute)),
        EmbeddingPersonalization => KnownAttributes.ShortName(nameof(EmbeddingPersonalizationAttribute)),
        ParameterPersonalization => KnownAttributes.ShortName(nameof(ParameterPersonalizationAttribute)),
        _ => owner,
    };

    public const string Regularization = "@regularization";

    public const string LossWeighting = "@lossweighting";

    public const string EmbeddingPersonalization = "@embeddingpersonalization";

    public const string ParameterPersonalization = "@parameterpersonalization";


    private void AddElements(string owner, string argument, IReadOnlyList<ExpressionSyntax>? elements)
    {
        for (var i = 0; i < (elements?.Count ?? 0); i++)
            Add(SpecKey.Element(owner, argument, i), elements![i].GetLocation());
    }

    private static IReadOnlyList<ExpressionSyntax>? ElementsOf(ExpressionSyntax expression) => expression switch
    {
        ImplicitArrayCreationExpressionSyntax a => a.Initializer.Expressions,
        ArrayCreationExpressionSyntax { Initializer: { } i } => i.Expressions,
        CollectionExpressionSyntax c => c.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression).ToList(),
        _ => null,
    };
}
