namespace ModelDsl.Generators.Parsing;

/// <summary>
/// What the model class declares, readable or not. A member the parser could not read (reported where it
/// is) still counts, so "no feature" or "no task" does not follow an error on the only one.
/// </summary>
internal readonly record struct DeclaredParts(bool Architecture, bool Feature, bool Task);
