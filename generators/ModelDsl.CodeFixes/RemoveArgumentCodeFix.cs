using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelDsl.Generators.Diagnostics;

namespace ModelDsl.CodeFixes;

/// <summary>MDSL020: removes <c>PositivesOnly = true</c> from a sample weight of a regression task.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveArgumentCodeFix)), Shared]
public sealed class RemoveArgumentCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.PositivesOnlyNotBinary);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span).FirstAncestorOrSelf<AttributeArgumentSyntax>() is not { NameEquals: { } name } argument)
            return;
        context.RegisterCodeFix(
            CodeAction.Create($"Remove {name.Name}",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(SyntaxEdits.RemoveArgument(root, argument))),
                equivalenceKey: nameof(RemoveArgumentCodeFix)),
            context.Diagnostics);
    }
}
