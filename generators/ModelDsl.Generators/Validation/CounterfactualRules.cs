using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;

namespace ModelDsl.Generators.Validation;

/// <summary>
/// ESCM²'s <c>Counterfactual</c> on a binary task: it regularizes a conditional estimate, so the task needs a
/// <c>Given</c> (whose predicted probability is the propensity; GivenRules requires it binary); its weight is
/// finite and not negative, its propensity floor in (0, 1]; and its two arguments mean nothing without it.
/// </summary>
internal static class CounterfactualRules
{
    private const string BinaryTask = nameof(BinaryTask);

    private static readonly string[] Arguments = [nameof(BinaryTaskAttribute.CounterfactualWeight), nameof(BinaryTaskAttribute.PropensityFloor)];

    public static IEnumerable<Diagnostic> Check(ModelSpec spec, TaskSpec task, SpecLocations at)
    {
        Location ArgumentOf(string argument) => at.Get(SpecKey.Argument(task.Name, argument), SpecKey.Attribute(task.Name), SpecKey.Member(task.Name));
        if (task.Counterfactual == CounterfactualRegularizer.None)
        {
            foreach (var argument in Arguments.Where(a => at.Has(SpecKey.Argument(task.Name, a))))
                yield return Diagnostic.Create(DiagnosticDescriptors.CounterfactualArgumentUnused, ArgumentOf(argument), spec.ClassName, task.Name, argument);
            yield break;
        }
        if (task.Given.Length == 0)
        {
            var parent = spec.Tasks.FirstOrDefault(t => t.Kind == TaskKind.Binary && t.Name != task.Name);
            yield return Diagnostic.Create(DiagnosticDescriptors.CounterfactualWithoutGiven, ArgumentOf(nameof(BinaryTaskAttribute.Counterfactual)),
                spec.ClassName, task.Name, task.Counterfactual,
                parent is null ? "add the binary task it follows (a click) with Given, or remove Counterfactual" : $"set Given = nameof({parent.Name}), or remove Counterfactual");
        }
        var owner = $"{spec.ClassName}.{task.Name}";
        if (!(task.CounterfactualWeight >= 0 && task.CounterfactualWeight <= double.MaxValue))
            yield return OutOfRange(ArgumentOf(nameof(BinaryTaskAttribute.CounterfactualWeight)), nameof(BinaryTaskAttribute.CounterfactualWeight), owner, task.CounterfactualWeight, "a finite number, zero or positive");
        if (!(task.PropensityFloor > 0 && task.PropensityFloor <= 1))
            yield return OutOfRange(ArgumentOf(nameof(BinaryTaskAttribute.PropensityFloor)), nameof(BinaryTaskAttribute.PropensityFloor), owner, task.PropensityFloor, "greater than 0 and at most 1 (a probability)");
    }

    private static Diagnostic OutOfRange(Location location, string argument, string owner, double value, string valid) =>
        Diagnostic.Create(DiagnosticDescriptors.ValueOutOfRange, location, argument, BinaryTask, owner, value.ToString("R", CultureInfo.InvariantCulture), valid);
}
