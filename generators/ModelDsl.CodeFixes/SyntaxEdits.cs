using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ModelDsl.CodeFixes;

/// <summary>Removals that leave the surrounding layout as a person would.</summary>
internal static class SyntaxEdits
{
    /// <summary>Removes an attribute, and its <c>[…]</c> list when it is the list's only attribute.</summary>
    public static SyntaxNode RemoveAttribute(SyntaxNode root, AttributeSyntax attribute)
    {
        var list = (AttributeListSyntax)attribute.Parent!;
        if (list.Attributes.Count > 1)
            return root.ReplaceNode(list, list.WithAttributes(list.Attributes.Remove(attribute)));

        // The list goes with the indentation and line break of its own line (a list sharing its line goes with
        // the space after it). Its leading trivia otherwise stays, before the next token's: doc comments, and
        // directives (#if, #endif) whose partners are elsewhere.
        var owner = list.Parent!;
        var leading = list.GetLeadingTrivia();
        var trailing = list.GetTrailingTrivia();
        if (trailing.Count > 0 && trailing.Last().IsKind(SyntaxKind.EndOfLineTrivia))
            while (leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia))
                leading = leading.RemoveAt(leading.Count - 1);
        // The edited owner starts at 0, and the next token where the list's full span started.
        var offset = list.FullSpan.Start - owner.FullSpan.Start;
        var edited = owner.RemoveNode(list, SyntaxRemoveOptions.KeepNoTrivia)!;
        var next = edited.FindToken(offset);
        edited = edited.ReplaceToken(next, next.WithLeadingTrivia(leading.AddRange(next.LeadingTrivia)));
        return root.ReplaceNode(owner, edited);
    }

    /// <summary>Removes an attribute argument, and the parentheses when no argument is left.</summary>
    public static SyntaxNode RemoveArgument(SyntaxNode root, AttributeArgumentSyntax argument)
    {
        var list = (AttributeArgumentListSyntax)argument.Parent!;
        var attribute = (AttributeSyntax)list.Parent!;
        var arguments = list.Arguments.Remove(argument);
        return root.ReplaceNode(attribute, arguments.Count == 0
            ? attribute.WithArgumentList(null)
            : attribute.WithArgumentList(list.WithArguments(arguments)));
    }
}
