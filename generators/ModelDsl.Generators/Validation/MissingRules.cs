using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;

namespace ModelDsl.Generators.Validation;

/// <summary>
/// A categorical feature's missing-value policy (MDSL031): <c>Missing</c> on the members that can be missing
/// (<c>string?</c>, <c>int?</c>, <c>long?</c>, sequences; <c>Empty</c> on sequences only), and a nullable id with
/// exactly one policy, its own row or a fill id inside the vocabulary.
/// </summary>
internal static class MissingRules
{
    private const string Categorical = nameof(Categorical);
    private const string Missing = nameof(CategoricalAttribute.Missing);
    private const string MissingId = nameof(CategoricalAttribute.MissingId);

    public static IEnumerable<Diagnostic> Check(FeatureSpec feature, string model, SpecLocations at)
    {
        if (feature.Kind != FeatureKind.Categorical)
            yield break;
        Diagnostic Invalid(string argument, string problem, string fix) =>
            Diagnostic.Create(DiagnosticDescriptors.InvalidDataArgument, at.Get(SpecKey.Argument(feature.Name, argument), SpecKey.Attribute(feature.Name), SpecKey.Member(feature.Name)),
                argument, Categorical, model, feature.Name, problem, fix);
        var isId = !feature.IsHashed && !feature.IsVector;
        if (feature.Missing != MissingValue.Error && isId && !feature.Type.IsNullable)
            yield return Invalid(Missing, $"applies to members that can be missing, but '{feature.Name}' is '{feature.Type}'", $"declare it '{feature.Type}?', or remove Missing");
        else if (feature.Missing == MissingValue.Empty && !feature.IsVector)
            yield return Invalid(Missing, $"is Empty, which applies to sequences, but '{feature.Name}' is '{feature.Type}'", "use Category, its own row" + (isId ? ", or MissingId, a fill" : ""));

        if (feature.MissingId != -1 && !(isId && feature.Type.IsNullable))
            yield return Invalid(MissingId, $"applies to int? and long? members, but '{feature.Name}' is '{feature.Type}'", feature.IsVector ? "use Missing = Category or Empty" : isId ? $"declare it '{feature.Type}?'" : "use Missing = Category");
        else if (feature.MissingId != -1 && feature.Missing != MissingValue.Error)
            yield return Invalid(MissingId, $"is set with Missing = {feature.Missing}", "give one policy: the missing row (Category) or a fill id (MissingId)");
        else if (feature.MissingId != -1 && (feature.MissingId < 0 || feature.MissingId >= feature.Vocabulary))
            yield return Invalid(MissingId, $"is {feature.MissingId.ToString(CultureInfo.InvariantCulture)}, outside the vocabulary [0, {feature.Vocabulary.ToString(CultureInfo.InvariantCulture)})", "give an id of the vocabulary, or Missing = Category for a row of its own");
        else if (feature.Type.IsNullable && feature.MissingId == -1 && feature.Missing == MissingValue.Error)
            yield return Diagnostic.Create(DiagnosticDescriptors.InvalidDataArgument, at.Get(SpecKey.TypeOf(feature.Name), SpecKey.Member(feature.Name)), Missing, Categorical, model, feature.Name,
                "is not set", $"a '{feature.Type}' member needs what a missing id is: Missing = MissingValue.Category (a row of its own) or MissingId = n (a fill)");
    }
}
