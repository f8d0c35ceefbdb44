using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Generators.Diagnostics;

namespace ModelDsl.CodeFixes;

/// <summary>
/// Removes the attribute a diagnostic points into: MDSL005 (a second architecture), MDSL012 (a second
/// role on a member) and MDSL019 (a second sample weight for a task).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveAttributeCodeFix)), Shared]
public sealed class RemoveAttributeCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.SeveralArchitectures, DiagnosticIds.SeveralRoles, DiagnosticIds.TaskWeightedTwice);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span).FirstAncestorOrSelf<AttributeSyntax>() is not { Parent: AttributeListSyntax } attribute)
            return;
        context.RegisterCodeFix(
            CodeAction.Create($"Remove [{attribute.Name}]",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(SyntaxEdits.RemoveAttribute(root, attribute))),
                // One key per id: fix-all removes every extra architecture, or every extra role, not both at once.
                equivalenceKey: nameof(RemoveAttributeCodeFix) + context.Diagnostics[0].Id),
            context.Diagnostics);
    }
}
