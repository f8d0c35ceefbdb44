using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Test source with its expected diagnostics marked inline: <c>{|MDSL009:Dim = 0|}</c> expects MDSL009
/// exactly on <c>Dim = 0</c>. Markers nest.
/// </summary>
internal static class Markup
{
    public static (string Source, List<(string Id, TextSpan Span)> Expected) Parse(string markup)
    {
        var source = new StringBuilder();
        var open = new Stack<(string Id, int Start)>();
        var expected = new List<(string Id, TextSpan Span)>();
        for (var i = 0; i < markup.Length;)
        {
            if (string.CompareOrdinal(markup, i, "{|", 0, 2) == 0)
            {
                var colon = markup.IndexOf(':', i);
                open.Push((markup[(i + 2)..colon], source.Length));
                i = colon + 1;
            }
            else if (string.CompareOrdinal(markup, i, "|}", 0, 2) == 0)
            {
                var (id, start) = open.Pop();
                expected.Add((id, TextSpan.FromBounds(start, source.Length)));
                i += 2;
            }
            else
                source.Append(markup[i++]);
        }
        return (source.ToString(), expected);
    }
}
