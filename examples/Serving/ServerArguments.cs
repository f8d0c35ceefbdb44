using System;
using System.Collections.Generic;
using System.Globalization;

namespace Serving;

/// <summary>
/// The command line the server takes. ASP.NET Core reads any --key value into configuration, so a typo such as
/// --modle would be ignored and the demo model served instead: anything else is refused before the server starts.
/// </summary>
internal static class ServerArguments
{
    public const string Usage = "Usage: Serving [--model <file.onnx>] [--urls <http://host:port>] [--MaxCandidates <n ≥ 1>] [--MicroBatching <true|false>] [--environment <name>]";

    private static readonly HashSet<string> Known = new(StringComparer.OrdinalIgnoreCase) { "model", "urls", "MaxCandidates", "MicroBatching", "environment" };

    /// <summary>What is wrong with <paramref name="args"/>, or null when the server can start with them.</summary>
    public static string? Problem(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                return $"Unexpected argument '{args[i]}'.";
            var (key, value) = args[i].IndexOf('=', StringComparison.Ordinal) is var equals and > 0
                ? (args[i][2..equals], args[i][(equals + 1)..])
                : (args[i][2..], i + 1 < args.Count ? args[++i] : null);
            if (!Known.Contains(key))
                return $"Unknown option '--{key}'.";
            if (value is null)
                return $"Option '--{key}' needs a value.";
            if (key.Equals("MaxCandidates", StringComparison.OrdinalIgnoreCase)
                && !(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max >= 1))
                return $"--MaxCandidates is '{value}'; it must be a whole number of at least 1.";
            if (key.Equals("MicroBatching", StringComparison.OrdinalIgnoreCase) && !bool.TryParse(value, out _))
                return $"--MicroBatching is '{value}'; it must be true or false.";
        }
        return null;
    }
}
