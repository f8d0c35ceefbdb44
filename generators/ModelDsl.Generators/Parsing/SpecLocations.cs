using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace ModelDsl.Generators.Parsing;

/// <summary>
/// Source locations of the parts of a spec, kept beside it (never inside it, so the spec stays
/// location-free and cacheable) for the validator to point at the offending argument.
/// </summary>
internal sealed class SpecLocations
{
    private readonly Dictionary<string, Location> _locations = new();

    public SpecLocations(Location model) => Model = model;

    /// <summary>The class name.</summary>
    public Location Model { get; }

    public void Add(string key, Location? location)
    {
        if (location is not null)
            _locations[key] = location;
    }

    /// <summary>The most precise known location among <paramref name="keys"/>, else the class name.</summary>
    public Location Get(params string[] keys)
    {
        foreach (var key in keys)
            if (_locations.TryGetValue(key, out var location))
                return location;
        return Model;
    }

    public static string Member(string member) => member;

    public static string Argument(string owner, string argument) => $"{owner}:{argument}";

    public static string Element(string owner, string argument, int index) => $"{owner}:{argument}:{index}";

    public const string Architecture = "@architecture";

    public const string Regularization = "@regularization";
}
