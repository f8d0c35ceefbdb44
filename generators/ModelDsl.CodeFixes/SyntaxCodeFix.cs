using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace ModelDsl.CodeFixes;

/// <summary>
/// A fix that finds one node at the diagnostic and replaces the document's root with an edited one;
/// the fixes differ only in which node, the title and the edit.
/// </summary>
/// <typeparam name="TNode">The node the fix edits.</typeparam>
public abstract class SyntaxCodeFix<TNode> : CodeFixProvider where TNode : SyntaxNode
{
    /// <inheritdoc/>
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || Find(root, context.Span) is not { } node)
            return;
        context.RegisterCodeFix(
            CodeAction.Create(Title(node), _ => Task.FromResult(context.Document.WithSyntaxRoot(Edit(root, node))), EquivalenceKey(context)),
            context.Diagnostics);
    }

    /// <summary>The node to edit at <paramref name="span"/>, or null when there is nothing to fix.</summary>
    protected abstract TNode? Find(SyntaxNode root, TextSpan span);

    /// <summary>What the light bulb says.</summary>
    protected abstract string Title(TNode node);

    /// <summary>The root with <paramref name="node"/> fixed.</summary>
    protected abstract SyntaxNode Edit(SyntaxNode root, TNode node);

    /// <summary>Which fixes fix-all applies together: by default every fix of this provider.</summary>
    protected virtual string EquivalenceKey(CodeFixContext context) => GetType().Name;
}
