using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;

namespace ModelDsl.Generators.Validation;

/// <summary>Rules of <c>[AdaptiveTaskToTaskFusion]</c> beyond its sizes: a fusion of one task (MDSL040, a warning).</summary>
internal static class FusionRules
{
    public static IEnumerable<Diagnostic> Check(ModelSpec spec, DeclaredParts declared, SpecLocations at)
    {
        if (declared.Architecture && spec.Architecture.Kind == ArchitectureKind.AdaptiveTaskToTaskFusion && spec.Tasks.Count == 1)
            yield return Diagnostic.Create(DiagnosticDescriptors.FusionOfOneTask, at.Get(SpecKey.Attribute(SpecLocations.Architecture)), spec.ClassName, spec.Tasks[0].Name);
    }
}
