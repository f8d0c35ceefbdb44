using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ModelDsl.Generators.Parsing;

/// <summary>What parsing one model class accumulates, and how it asks the compiler about errors.</summary>
internal sealed class ParseState(INamedTypeSymbol type, SemanticModel semanticModel, SpecLocations locations, CancellationToken cancellationToken)
{
    public INamedTypeSymbol Type { get; } = type;
    public string Model => Type.Name;
    public SpecLocations Locations { get; } = locations;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public List<Diagnostic> Diagnostics { get; } = [];

    /// <summary>Some DSL attribute or member has a compiler error: report what can be read, generate nothing.</summary>
    public bool HasCompilerErrors { get; set; }

    public void Report(DiagnosticDescriptor descriptor, Location location, params object[] arguments) =>
        Diagnostics.Add(Diagnostic.Create(descriptor, location, arguments));

    public AttributeSyntax? SyntaxOf(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference?.GetSyntax(CancellationToken) as AttributeSyntax;

    public Location LocationOf(AttributeData attribute) => SyntaxOf(attribute)?.GetLocation() ?? Locations.Model;

    /// <summary>Whether the compiler reports an error in <paramref name="node"/>, which is then no input to read.</summary>
    public bool HasErrors(SyntaxNode? node)
    {
        if (node is null)
            return false;
        if (node.ContainsDiagnostics)
            return true;
        // Parts of a partial class may sit in other files, with their own semantic model.
        var model = node.SyntaxTree == semanticModel.SyntaxTree ? semanticModel : semanticModel.Compilation.GetSemanticModel(node.SyntaxTree);
        return model.GetDiagnostics(node.Span, CancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error);
    }

    public AttributeReader Reader(AttributeData attribute) => new(attribute, HasErrors(SyntaxOf(attribute)));

    public void Read(AttributeReader reader) => HasCompilerErrors |= reader.HasErrors;
}
