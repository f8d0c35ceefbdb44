using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Validation;

namespace ModelDsl.Generators.Parsing;

/// <summary>
/// Reads an annotated class into a <see cref="ModelSpec"/>: the class shape, its architecture and
/// regularization attributes, and one feature or task per annotated member. Problems that make a part
/// unreadable (wrong member type, two roles) are reported here; rules over values are the
/// <see cref="Validator"/>'s. Never throws on bad input.
/// </summary>
internal static class Parser
{
    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        var locations = new SpecLocations(syntax.Identifier.GetLocation());
        var diagnostics = new List<Diagnostic>();

        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NotPartial, locations.Model, type.Name));
        if (type.ContainingType is { } outer)
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.Nested, locations.Model, type.Name, outer.Name));
        if (type.TypeParameters.Length > 0)
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.Generic, locations.Model, type.Name));

        var architecture = ReadArchitecture(type, locations, diagnostics, cancellationToken);
        var regularization = ReadRegularization(type, locations, cancellationToken);
        var features = new List<FeatureSpec>();
        var tasks = new List<TaskSpec>();
        foreach (var member in type.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadMember(type, member, locations, features, tasks, diagnostics, cancellationToken);
        }

        var spec = new ModelSpec(
            type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
            type.Name,
            SyntaxFacts.GetText(type.DeclaredAccessibility),
            type.IsRecord,
            features.ToEquatableArray(),
            tasks.ToEquatableArray(),
            architecture ?? new ArchitectureSpec(ArchitectureKind.SharedBottom, EquatableArray<int>.Empty),
            regularization);
        diagnostics.AddRange(Validator.Validate(spec, architecture is not null, locations));
        var valid = !diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        return new ParseResult(valid ? spec : null, diagnostics.ToEquatableArray());
    }

    private static ArchitectureSpec? ReadArchitecture(INamedTypeSymbol type, SpecLocations locations, List<Diagnostic> diagnostics, CancellationToken ct)
    {
        var found = type.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == KnownAttributes.SharedBottom).ToList();
        if (found.Count > 1)
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.SeveralArchitectures, AttributeLocation(found[1], ct) ?? locations.Model, type.Name));
        if (found.Count == 0)
            return null;
        var attribute = found[0];
        var syntax = AttributeSyntaxOf(attribute, ct);
        locations.Add(SpecLocations.Architecture, syntax?.GetLocation());
        var units = attribute.ConstructorArguments.Length == 1 ? Ints(attribute.ConstructorArguments[0]) : ImmutableArray<int>.Empty;
        var arguments = syntax?.ArgumentList?.Arguments ?? default;
        // A params array written element by element has one argument per unit; written as an array, one for all.
        for (var i = 0; i < units.Length; i++)
            locations.Add(SpecLocations.Element(SpecLocations.Architecture, "Units", i),
                arguments.Count == units.Length ? arguments[i].GetLocation() : arguments.FirstOrDefault()?.GetLocation());
        return new ArchitectureSpec(ArchitectureKind.SharedBottom, units.ToEquatableArray());
    }

    private static RegularizationSpec ReadRegularization(INamedTypeSymbol type, SpecLocations locations, CancellationToken ct)
    {
        var attribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownAttributes.Regularization);
        if (attribute is null)
            return RegularizationSpec.Default;
        AddArgumentLocations(attribute, SpecLocations.Regularization, locations, ct);
        var activation = Named(attribute, "Activation") is { Kind: TypedConstantKind.Enum, Value: int value } && attribute.AttributeClass!
            .GetMembers("Activation").OfType<IPropertySymbol>().FirstOrDefault()?.Type is INamedTypeSymbol enumType
            ? enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value))?.Name
            : null;
        return new RegularizationSpec(
            Double(Named(attribute, "EmbeddingL2")) ?? 0,
            Double(Named(attribute, "DenseL2")) ?? 0,
            Double(Named(attribute, "Dropout")) ?? 0,
            activation ?? RegularizationSpec.Default.Activation);
    }

    private static void ReadMember(INamedTypeSymbol model, ISymbol member, SpecLocations locations,
        List<FeatureSpec> features, List<TaskSpec> tasks, List<Diagnostic> diagnostics, CancellationToken ct)
    {
        if (member is not (IPropertySymbol or IFieldSymbol) || member.IsImplicitlyDeclared)
            return;
        var roles = member.GetAttributes().Where(a => Roles.ContainsKey(a.AttributeClass?.ToDisplayString() ?? "")).ToList();
        if (roles.Count == 0)
            return;
        var attribute = roles[0];
        var role = Roles[attribute.AttributeClass!.ToDisplayString()];
        locations.Add(SpecLocations.Member(member.Name), member.Locations.FirstOrDefault());
        AddArgumentLocations(attribute, member.Name, locations, ct);
        foreach (var extra in roles.Skip(1))
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.SeveralRoles, AttributeLocation(extra, ct) ?? locations.Model,
                model.Name, member.Name, role.Name, Roles[extra.AttributeClass!.ToDisplayString()].Name));

        var problem = member.IsStatic ? "static"
            : member is IPropertySymbol { GetMethod: null } ? "write-only"
            : null;
        if (problem is not null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NotInstanceMember, locations.Get(member.Name), model.Name, member.Name, problem));
            return;
        }
        var memberType = member is IPropertySymbol p ? p.Type : ((IFieldSymbol)member).Type;
        var keyword = Keyword(memberType);
        if (keyword is null || !role.Types.Contains(keyword))
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.UnsupportedType, locations.Get(member.Name),
                role.Name, model.Name, member.Name, string.Join(" or ", role.Types), memberType.ToDisplayString()));
            return;
        }

        switch (role.Name)
        {
            case "Categorical":
                features.Add(new FeatureSpec(member.Name, FeatureKind.Categorical, keyword,
                    Int(Named(attribute, "Vocabulary")) ?? 0, Int(Named(attribute, "Dim")) ?? 0));
                break;
            case "Numeric":
                features.Add(new FeatureSpec(member.Name, FeatureKind.Numeric, keyword, 0, 0));
                break;
            default:
                var tower = Named(attribute, "Tower") is { } t ? Ints(t) : ImmutableArray<int>.Empty;
                tasks.Add(new TaskSpec(member.Name, role.Name == "BinaryTask" ? TaskKind.Binary : TaskKind.Regression, keyword,
                    tower.ToEquatableArray(), Double(Named(attribute, "LossWeight")) ?? 1.0));
                break;
        }
    }

    private sealed record Role(string Name, string[] Types);

    private static readonly Dictionary<string, Role> Roles = new()
    {
        [KnownAttributes.Categorical] = new("Categorical", ["int", "long"]),
        [KnownAttributes.Numeric] = new("Numeric", ["float", "double"]),
        [KnownAttributes.BinaryTask] = new("BinaryTask", ["bool", "int", "float", "double"]),
        [KnownAttributes.RegressionTask] = new("RegressionTask", ["float", "double"]),
    };

    private static string? Keyword(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Boolean => "bool",
        SpecialType.System_Int32 => "int",
        SpecialType.System_Int64 => "long",
        SpecialType.System_Single => "float",
        SpecialType.System_Double => "double",
        _ => null,
    };

    private static void AddArgumentLocations(AttributeData attribute, string owner, SpecLocations locations, CancellationToken ct)
    {
        var syntax = AttributeSyntaxOf(attribute, ct);
        locations.Add(SpecLocations.Argument(owner, "@attribute"), syntax?.GetLocation());
        foreach (var argument in syntax?.ArgumentList?.Arguments ?? default)
        {
            if (argument.NameEquals is not { } name)
                continue;
            var key = SpecLocations.Argument(owner, name.Name.Identifier.ValueText);
            locations.Add(key, argument.GetLocation());
            var elements = argument.Expression switch
            {
                ImplicitArrayCreationExpressionSyntax a => a.Initializer.Expressions,
                ArrayCreationExpressionSyntax { Initializer: { } i } => i.Expressions,
                CollectionExpressionSyntax c => SyntaxFactory.SeparatedList<ExpressionSyntax>(c.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression)),
                _ => default,
            };
            for (var i = 0; i < elements.Count; i++)
                locations.Add(SpecLocations.Element(owner, name.Name.Identifier.ValueText, i), elements[i].GetLocation());
        }
    }

    private static AttributeSyntax? AttributeSyntaxOf(AttributeData attribute, CancellationToken ct) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;

    private static Location? AttributeLocation(AttributeData attribute, CancellationToken ct) =>
        AttributeSyntaxOf(attribute, ct)?.GetLocation();

    private static TypedConstant? Named(AttributeData attribute, string name)
    {
        foreach (var pair in attribute.NamedArguments)
            if (pair.Key == name)
                return pair.Value;
        return null;
    }

    private static int? Int(TypedConstant? constant) => constant is { Kind: TypedConstantKind.Primitive, Value: int value } ? value : null;

    private static double? Double(TypedConstant? constant) => constant?.Value switch
    {
        double d => d,
        float f => f,
        int i => i,
        _ => null,
    };

    private static ImmutableArray<int> Ints(TypedConstant constant) =>
        constant.Kind == TypedConstantKind.Array && !constant.IsNull
            ? constant.Values.Select(v => v.Value is int i ? i : 0).ToImmutableArray()
            : ImmutableArray<int>.Empty;
}
