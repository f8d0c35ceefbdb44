using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;

namespace ModelDsl.Generators.Validation;

/// <summary>
/// Learned vocabularies (<c>[Categorical(Learned = true, MaxSize = n)]</c>): on a single <c>int</c>, <c>long</c> or
/// <c>string</c> (MDSL052), sized by <c>MaxSize</c> and not <c>Vocabulary</c> (MDSL053), without the options a
/// learned vocabulary replaces (MDSL054), and its arguments only with <c>Learned</c> (MDSL055).
/// </summary>
internal static class LearnedRules
{
    private static readonly string[] Replaced = [nameof(CategoricalAttribute.Group), nameof(CategoricalAttribute.OutOfVocabulary), nameof(CategoricalAttribute.Missing)];

    public static IEnumerable<Diagnostic> Check(ModelSpec spec, SpecLocations at)
    {
        foreach (var feature in spec.Features.Where(f => f.Kind == FeatureKind.Categorical))
        {
            var name = feature.Name;
            if (!feature.IsLearned)
            {
                foreach (var argument in new[] { nameof(CategoricalAttribute.MinCount), nameof(CategoricalAttribute.MaxSize) }.Where(a => at.Has(SpecKey.Argument(name, a))))
                    yield return Diagnostic.Create(DiagnosticDescriptors.LearnedArgumentWithoutLearned, Validator.ArgumentOf(at, name, argument), argument, spec.ClassName, name);
                continue;
            }
            if (feature.IsVector)
                yield return Diagnostic.Create(DiagnosticDescriptors.LearnedOnUnsupportedType, Validator.ArgumentOf(at, name, nameof(CategoricalAttribute.Learned)), spec.ClassName, name, feature.Type);
            if (at.Has(SpecKey.Argument(name, nameof(CategoricalAttribute.Vocabulary))))
                yield return Diagnostic.Create(DiagnosticDescriptors.LearnedVocabularySize, Validator.ArgumentOf(at, name, nameof(CategoricalAttribute.Vocabulary)), spec.ClassName, name, "Vocabulary is set too; a learned vocabulary's table is sized by MaxSize alone", "remove Vocabulary");
            if (feature.Vocabulary <= 0)
                yield return Diagnostic.Create(DiagnosticDescriptors.LearnedVocabularySize, Validator.ArgumentOf(at, name, nameof(CategoricalAttribute.MaxSize)), spec.ClassName, name,
                    at.Has(SpecKey.Argument(name, nameof(CategoricalAttribute.MaxSize))) ? $"MaxSize is {feature.Vocabulary}" : "MaxSize is not set", "set MaxSize to a positive integer, the most values kept, as in MaxSize = 100_000");
            if (feature.Vocabulary == int.MaxValue)
                yield return Diagnostic.Create(DiagnosticDescriptors.LearnedVocabularySize, Validator.ArgumentOf(at, name, nameof(CategoricalAttribute.MaxSize)), spec.ClassName, name,
                    "MaxSize is 2147483647, and the out-of-vocabulary row after it would be row 2^31, more than an int row count holds", "lower MaxSize to at most 2,147,483,646");
            if (feature.MinCount <= 0)
                yield return Diagnostic.Create(DiagnosticDescriptors.LearnedVocabularySize, Validator.ArgumentOf(at, name, nameof(CategoricalAttribute.MinCount)), spec.ClassName, name,
                    $"MinCount is {feature.MinCount}", "set MinCount to 1 or more, the least count of a value kept");
            foreach (var argument in Replaced.Where(a => at.Has(SpecKey.Argument(name, a))))
                yield return Diagnostic.Create(DiagnosticDescriptors.LearnedWithReplacedArgument, Validator.ArgumentOf(at, name, argument), argument, spec.ClassName, name);
        }
    }
}
