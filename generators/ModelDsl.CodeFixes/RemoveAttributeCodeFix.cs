using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using ModelDsl.Generators.Diagnostics;

namespace ModelDsl.CodeFixes;

/// <summary>
/// Removes the attribute a diagnostic points into: MDSL005 (a second architecture), MDSL012 (a second
/// role on a member) and MDSL019 (a second sample weight for a task).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveAttributeCodeFix)), Shared]
public sealed class RemoveAttributeCodeFix : SyntaxCodeFix<AttributeSyntax>
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.SeveralArchitectures, DiagnosticIds.SeveralRoles, DiagnosticIds.TaskWeightedTwice);

    /// <inheritdoc/>
    protected override AttributeSyntax? Find(SyntaxNode root, TextSpan span) =>
        root.FindNode(span).FirstAncestorOrSelf<AttributeSyntax>() is { Parent: AttributeListSyntax } attribute ? attribute : null;

    /// <inheritdoc/>
    protected override string Title(AttributeSyntax node) => $"Remove [{node.Name}]";

    /// <inheritdoc/>
    protected override SyntaxNode Edit(SyntaxNode root, AttributeSyntax node) => SyntaxEdits.RemoveAttribute(root, node);

    /// <summary>One key per id: fix-all removes every extra architecture, or every extra role, not both at once.</summary>
    protected override string EquivalenceKey(CodeFixContext context) => nameof(RemoveAttributeCodeFix) + context.Diagnostics[0].Id;
}
