using Microsoft.CodeAnalysis;
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

        // The list goes with its own line (indentation, line break); when it opens the declaration, its leading
        // trivia (indentation, doc comment) is the declaration's and passes to the next token.
        var owner = list.Parent!;
        var opensOwner = owner.GetFirstToken() == list.GetFirstToken();
        var edited = owner.RemoveNode(list, SyntaxRemoveOptions.KeepNoTrivia)!;
        if (opensOwner)
            edited = edited.ReplaceToken(edited.GetFirstToken(), edited.GetFirstToken().WithLeadingTrivia(list.GetLeadingTrivia()));
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
