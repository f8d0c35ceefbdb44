using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;

namespace ModelDsl.Generators.Validation;

/// <summary>
/// Rules over a parsed spec's values: sizes positive, weights and rates in range, at least one feature
/// and one task, no member hiding a generated one. Each diagnostic points at the offending argument.
/// </summary>
internal static class Validator
{
    private static readonly HashSet<string> Reserved = ["Features", "Prediction", "Network", "Trainer", "Predictor", "Schema", "ToFeatures"];

    public static IEnumerable<Diagnostic> Validate(ModelSpec spec, bool hasArchitecture, SpecLocations at)
    {
        var model = spec.ClassName;
        if (!hasArchitecture)
            yield return Diagnostic.Create(DiagnosticDescriptors.NoArchitecture, at.Model, model);
        if (spec.Tasks.Count == 0)
            yield return Diagnostic.Create(DiagnosticDescriptors.NoTask, at.Model, model);
        if (spec.Features.Count == 0)
            yield return Diagnostic.Create(DiagnosticDescriptors.NoFeature, at.Model, model);

        for (var i = 0; i < spec.Architecture.Units.Count; i++)
            if (spec.Architecture.Units[i] <= 0)
                yield return NotPositive(at.Get(SpecLocations.Element(SpecLocations.Architecture, "Units", i), SpecLocations.Architecture),
                    $"Units[{i}]", "SharedBottom", model, spec.Architecture.Units[i]);
        if (hasArchitecture && spec.Architecture.Units.Count == 0)
            yield return NotPositive(at.Get(SpecLocations.Architecture), "Number of Units", "SharedBottom", model, 0);

        foreach (var feature in spec.Features)
        {
            if (Reserved.Contains(feature.Name))
                yield return Diagnostic.Create(DiagnosticDescriptors.ReservedName, at.Get(feature.Name), model, feature.Name);
            if (feature.Kind != FeatureKind.Categorical)
                continue;
            if (feature.Vocabulary <= 0)
                yield return NotPositive(ArgumentOf(at, feature.Name, "Vocabulary"), "Vocabulary", "Categorical", $"{model}.{feature.Name}", feature.Vocabulary);
            if (feature.Dim <= 0)
                yield return NotPositive(ArgumentOf(at, feature.Name, "Dim"), "Dim", "Categorical", $"{model}.{feature.Name}", feature.Dim);
        }

        foreach (var task in spec.Tasks)
        {
            var attribute = task.Kind == TaskKind.Binary ? "BinaryTask" : "RegressionTask";
            if (Reserved.Contains(task.Name))
                yield return Diagnostic.Create(DiagnosticDescriptors.ReservedName, at.Get(task.Name), model, task.Name);
            for (var i = 0; i < task.Tower.Count; i++)
                if (task.Tower[i] <= 0)
                    yield return NotPositive(at.Get(SpecLocations.Element(task.Name, "Tower", i), SpecLocations.Argument(task.Name, "Tower")),
                        $"Tower[{i}]", attribute, $"{model}.{task.Name}", task.Tower[i]);
            if (task.LossWeight < 0 || double.IsNaN(task.LossWeight))
                yield return Diagnostic.Create(DiagnosticDescriptors.NegativeLossWeight, ArgumentOf(at, task.Name, "LossWeight"),
                    model, task.Name, Format(task.LossWeight));
        }

        var regularization = spec.Regularization;
        if (!(regularization.Dropout >= 0 && regularization.Dropout < 1))
            yield return InvalidRate(at, "Dropout", model, regularization.Dropout, "at least 0 and less than 1");
        if (!(regularization.EmbeddingL2 >= 0))
            yield return InvalidRate(at, "EmbeddingL2", model, regularization.EmbeddingL2, "zero or positive");
        if (!(regularization.DenseL2 >= 0))
            yield return InvalidRate(at, "DenseL2", model, regularization.DenseL2, "zero or positive");
    }

    private static Location ArgumentOf(SpecLocations at, string member, string argument) =>
        at.Get(SpecLocations.Argument(member, argument), SpecLocations.Argument(member, "@attribute"), member);

    private static Diagnostic NotPositive(Location location, string argument, string attribute, string owner, int value) =>
        Diagnostic.Create(DiagnosticDescriptors.NotPositive, location, argument, attribute, owner, value);

    private static Diagnostic InvalidRate(SpecLocations at, string argument, string model, double value, string valid) =>
        Diagnostic.Create(DiagnosticDescriptors.InvalidRate,
            at.Get(SpecLocations.Argument(SpecLocations.Regularization, argument), SpecLocations.Argument(SpecLocations.Regularization, "@attribute")),
            argument, model, Format(value), valid);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
