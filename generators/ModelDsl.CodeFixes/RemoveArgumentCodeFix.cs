using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using ModelDsl.Generators.Diagnostics;

namespace ModelDsl.CodeFixes;

/// <summary>
/// MDSL020: removes <c>PositivesOnly = true</c> from a sample weight of a regression task; MDSL049: removes
/// <c>CounterfactualWeight</c> or <c>PropensityFloor</c> from a task without a Counterfactual regularizer.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveArgumentCodeFix)), Shared]
public sealed class RemoveArgumentCodeFix : SyntaxCodeFix<AttributeArgumentSyntax>
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.PositivesOnlyNotBinary, DiagnosticIds.CounterfactualArgumentUnused);

    /// <inheritdoc/>
    protected override AttributeArgumentSyntax? Find(SyntaxNode root, TextSpan span) =>
        root.FindNode(span).FirstAncestorOrSelf<AttributeArgumentSyntax>() is { NameEquals: not null } argument ? argument : null;

    /// <inheritdoc/>
    protected override string Title(AttributeArgumentSyntax node) => $"Remove {node.NameEquals!.Name}";

    /// <inheritdoc/>
    protected override SyntaxNode Edit(SyntaxNode root, AttributeArgumentSyntax node) => SyntaxEdits.RemoveArgument(root, node);
}
