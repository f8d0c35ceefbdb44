using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;

namespace ModelDsl.Generators.Validation;

/// <summary>
/// PEPNet's attributes: each names at least one prior, each a feature member, once; GateUnits is 0 or positive;
/// PPNet needs a tower layer to scale. Each diagnostic on the prior or argument at fault.
/// </summary>
internal static class PersonalizationRules
{
    public static IEnumerable<Diagnostic> Check(ModelSpec spec, SpecLocations at)
    {
        var diagnostics = Check(spec, spec.EmbeddingPersonalization, SpecLocations.EmbeddingPersonalization, at)
            .Concat(Check(spec, spec.ParameterPersonalization, SpecLocations.ParameterPersonalization, at));
        foreach (var diagnostic in diagnostics)
            yield return diagnostic;
        if (spec.ParameterPersonalization is not null && spec.Tasks.Count > 0 && spec.Tasks.All(t => t.Tower.Count == 0))
            yield return Diagnostic.Create(DiagnosticDescriptors.NoTowerToPersonalize, at.Get(SpecKey.Attribute(SpecLocations.ParameterPersonalization)), spec.ClassName);
    }

    private static IEnumerable<Diagnostic> Check(ModelSpec spec, PersonalizationSpec? gate, string owner, SpecLocations at)
    {
        if (gate is null)
            yield break;
        const string priors = nameof(EmbeddingPersonalizationAttribute.Priors);
        var attribute = SpecLocations.AttributeName(owner);
        var example = spec.Features.Count > 0 ? spec.Features[0].Name : "UserId";
        if (gate.Priors.Count == 0)
            yield return Diagnostic.Create(DiagnosticDescriptors.NoPrior, at.Get(SpecKey.Attribute(owner)), spec.ClassName, attribute, example);
        var seen = new HashSet<string>();
        for (var i = 0; i < gate.Priors.Count; i++)
        {
            var prior = gate.Priors[i];
            var location = at.Get(SpecKey.Element(owner, priors, i), SpecKey.Argument(owner, priors), SpecKey.Attribute(owner));
            if (!spec.Features.Any(f => f.Name == prior))
                yield return Diagnostic.Create(DiagnosticDescriptors.UnknownPrior, location, spec.ClassName, attribute, prior, What(spec, prior), example);
            else if (!seen.Add(prior))
                yield return Diagnostic.Create(DiagnosticDescriptors.PriorTwice, location, spec.ClassName, attribute, prior);
        }
        const string units = nameof(EmbeddingPersonalizationAttribute.GateUnits);
        if (gate.GateUnits < 0)
            yield return Diagnostic.Create(DiagnosticDescriptors.NotPositive, at.Get(SpecKey.Argument(owner, units), SpecKey.Attribute(owner)),
                units, attribute, spec.ClassName, gate.GateUnits.ToString(CultureInfo.InvariantCulture), "0 (as wide as what the gate scales) or a positive integer");
    }

    /// <summary>What a name that is no feature is: a label, a sample weight, or nothing of the model.</summary>
    private static string What(ModelSpec spec, string name) =>
        spec.Tasks.Any(t => t.Name == name) ? "a task's label, known only in training"
        : spec.SampleWeights.Any(w => w.Name == name) ? "a sample weight, known only in training"
        : "not a member of the model";
}
