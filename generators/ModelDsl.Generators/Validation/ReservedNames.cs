using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Diagnostics;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;
using ModelDsl.Onnx;
using OutputKind = ModelDsl.OutputKind;

namespace ModelDsl.Generators.Validation;

/// <summary>
/// Names the generator takes: the members it adds to the model class, and the members of the
/// <c>Features</c> and <c>Prediction</c> records it builds from feature and task names. A model member
/// with such a name would break (or, inherited, be hidden by) the generated code, so it is reported
/// at the member rather than as a compiler error inside generated code.
/// </summary>
internal static class ReservedNames
{
    private static readonly Dictionary<string, string> InModel = new()
    {
        ["Features"] = "the nested type 'Features'",
        ["Prediction"] = "the nested type 'Prediction'",
        ["Network"] = "the nested type 'Network'",
        ["Trainer"] = "the nested type 'Trainer'",
        ["Predictor"] = "the nested type 'Predictor'",
        ["Schema"] = "the property 'Schema'",
        ["ToFeatures"] = "the method 'ToFeatures()'",
        ["ReadCsv"] = "the method 'ReadCsv'",
        ["ReadParquet"] = "the method 'ReadParquet'",
        ["ReadSample"] = "the method 'ReadSample'",
        ["DataColumns"] = "the property 'DataColumns'",
    };

    /// <summary>What every positional record struct has (declared or inherited), so no parameter may take the name.</summary>
    private static readonly string[] RecordMembers =
        ["Equals", "GetHashCode", "ToString", "GetType", "Deconstruct", "PrintMembers", "MemberwiseClone", "ReferenceEquals", "op_Equality", "op_Inequality"];

    /// <summary><c>Features.Encode</c> and its parameters, whose names would shadow a feature inside it.</summary>
    private static readonly Dictionary<string, string> InFeatures = new()
    {
        ["Encode"] = "the method 'Features.Encode'",
        ["categorical"] = "the parameter 'categorical' of 'Features.Encode'",
        ["numeric"] = "the parameter 'numeric' of 'Features.Encode'",
        ["vocabularies"] = "the parameter 'vocabularies' of 'Features.Encode'",
        ["EncodeStrings"] = "the method 'Features.EncodeStrings'",
        ["strings"] = "the parameter 'strings' of 'Features.EncodeStrings'",
    };

    /// <summary>Names of the exported graph's inputs (the runtime's, which the generator compiles); an output (a task) may not take them.</summary>
    private static readonly string[] OnnxInputs = [OnnxMetadata.CategoricalInput, OnnxMetadata.NumericInput, OnnxMetadata.StringInput];

    public static bool IsGeneratedInModel(string name) => InModel.ContainsKey(name);

    /// <summary>The names <see cref="IsGeneratedInModel"/> takes, as a message lists them: <c>Features, …, ReadSample or DataColumns</c>.</summary>
    public static string GeneratedInModel { get; } =
        string.Join(", ", InModel.Keys.Take(InModel.Count - 1)) + " or " + InModel.Keys.Last();

    /// <summary>Members of the model class, declared or inherited, that a generated member collides with or hides.</summary>
    public static IEnumerable<Diagnostic> CheckMembers(INamedTypeSymbol type, Compilation compilation, SpecLocations at, CancellationToken ct)
    {
        foreach (var member in type.GetMembers())
            if (!member.IsImplicitlyDeclared && Collides(member) && member.Locations.FirstOrDefault() is { IsInSource: true } location)
                yield return Diagnostic.Create(DiagnosticDescriptors.ReservedName, location, type.Name, member.Name, InModel[member.Name], type.Name);

        for (var baseType = type.BaseType; baseType is not null && baseType.SpecialType != SpecialType.System_Object; baseType = baseType.BaseType)
        {
            // A base model's generated members are not in the compilation the generator sees; they would be hidden all the same.
            var hidden = baseType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownAttributes.MultiTaskModel)
                ? "Features"
                : baseType.GetMembers().FirstOrDefault(m => Collides(m) && compilation.IsSymbolAccessibleWithin(m, type))?.Name;
            if (hidden is null)
                continue;
            yield return Diagnostic.Create(DiagnosticDescriptors.ReservedName, SpecLocations.BaseClass(type, ct) ?? at.Model,
                baseType.Name, hidden, InModel[hidden], type.Name);
            yield break;
        }
    }

    /// <summary>Features and tasks whose names collide inside the generated <c>Features</c> and <c>Prediction</c>.</summary>
    public static IEnumerable<Diagnostic> CheckSpec(ModelSpec spec, SpecLocations at)
    {
        var model = spec.ClassName;
        foreach (var feature in spec.Features)
        {
            var what = InFeatures.TryGetValue(feature.Name, out var member) ? member
                : RecordMembers.Contains(feature.Name) ? $"the record member 'Features.{feature.Name}'"
                : null;
            if (what is not null)
                yield return Diagnostic.Create(DiagnosticDescriptors.ReservedName, at.Get(SpecKey.Member(feature.Name)), model, feature.Name, what, model);
        }

        var outputs = new Dictionary<string, OutputSpec>();
        foreach (var output in PredictionMembers(new ModelLayout(spec)))
        {
            if (RecordMembers.Contains(output.Name))
                yield return Collision(output.Task.Name, $"the record member 'Prediction.{output.Name}'");
            else if (OnnxInputs.Contains(output.Name) && !IsClass(output))
                yield return Collision(output.Task.Name, $"the ONNX model's input '{output.Name}'");
            else if (!outputs.TryGetValue(output.Name, out var first))
                outputs[output.Name] = output;
            else
            {
                // Report the task that took the name itself; the other output is what it collides with.
                var (named, other) = IsMain(output) || !IsMain(first) ? (output, first) : (first, output);
                yield return Collision(named.Task.Name, Describe(other));
            }
        }

        Diagnostic Collision(string task, string what) =>
            Diagnostic.Create(DiagnosticDescriptors.ReservedName, at.Get(SpecKey.Member(task)), model, task, what, model);
    }

    private static bool Collides(ISymbol member) =>
        InModel.ContainsKey(member.Name) && member is not IMethodSymbol { Name: "ToFeatures", Parameters.Length: > 0 };

    /// <summary>The outputs, each multiclass task's preceded by its most likely class (named as the task; no ONNX output).</summary>
    private static IEnumerable<OutputSpec> PredictionMembers(ModelLayout layout)
    {
        foreach (var output in layout.Outputs)
        {
            if (output.Kind == OutputKind.ClassProbabilities)
                yield return output with { Name = output.Task.Name };
            yield return output;
        }
    }

    private static bool IsClass(OutputSpec output) => output.Kind == OutputKind.ClassProbabilities && output.Name == output.Task.Name;

    private static bool IsMain(OutputSpec output) => output.Kind is OutputKind.Probability or OutputKind.Value || IsClass(output);

    private static string Describe(OutputSpec output) => output.Kind switch
    {
        OutputKind.Odds => $"the member 'Prediction.{output.Name}' (the odds of task '{output.Task.Name}')",
        OutputKind.ClassProbabilities => $"the member 'Prediction.{output.Name}' (the class probabilities of task '{output.Task.Name}')",
        _ => $"the member 'Prediction.{output.Name}' (task '{output.Task.Name}' given '{output.Task.Given}')",
    };
}
