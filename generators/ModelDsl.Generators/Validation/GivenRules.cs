using System.Linq;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;

namespace ModelDsl.Generators.Validation;

/// <summary>
/// ESMM's <c>Given</c>: it must name a binary task of the model, and following Given from a task must
/// end at a task without one (the chain's probabilities are multiplied from there).
/// </summary>
internal static class GivenRules
{
    public static Diagnostic? Check(ModelSpec spec, TaskSpec task, Location location)
    {
        var given = spec.GivenOf(task);
        if (given is null)
            return Diagnostic.Create(DiagnosticDescriptors.UnknownGiven, location, spec.ClassName, task.Name, task.Given, Valid(spec, task));
        if (given.Kind != TaskKind.Binary)
            return Diagnostic.Create(DiagnosticDescriptors.GivenNotBinary, location, spec.ClassName, task.Name, task.Given, Validator.KindName(given.Kind), Valid(spec, task));
        // The runtime's walk: it ends at a task without Given, or at the first task seen twice. Only a
        // chain back to this task is its cycle; another one is reported on its own members.
        var start = spec.IndexOf(task.Name);
        var chain = GivenChain.Of(start, t => spec.IndexOf(spec.Tasks[t].Given)).ToList();
        return chain.Count > 1 && chain[chain.Count - 1] == start
            ? Diagnostic.Create(DiagnosticDescriptors.GivenCycle, location, spec.ClassName, task.Name, string.Join(" → ", chain.Select(t => spec.Tasks[t].Name)))
            : null;
    }

    private static string Valid(ModelSpec spec, TaskSpec task)
    {
        var binary = spec.Tasks.Where(t => t.Kind == TaskKind.Binary && t.Name != task.Name).Select(t => t.Name).ToList();
        return binary.Count == 0
            ? $"'{spec.ClassName}' has no other binary task to follow; add one or remove Given"
            : $"name a binary task, e.g. Given = nameof({binary[0]})";
    }
}
