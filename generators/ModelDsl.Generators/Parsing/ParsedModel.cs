using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Parsing;

/// <summary>
/// What the parser hands the validator: the spec as read, what the class declares, where each part
/// of it is written, the parser's own diagnostics, and whether the compiler rejects some part of it
/// (then nothing is generated and the compiler's error stands alone).
/// </summary>
internal sealed record ParsedModel(ModelSpec Spec, DeclaredParts Declared, SpecLocations Locations, IReadOnlyList<Diagnostic> Diagnostics, bool HasCompilerErrors);
