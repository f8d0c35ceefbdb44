using Microsoft.CodeAnalysis;
using ModelDsl.Generators.Emitting;
using ModelDsl.Generators.Model;
using ModelDsl.Generators.Parsing;
using ModelDsl.Generators.Validation;

namespace ModelDsl.Generators;

/// <summary>
/// Turns each <c>[MultiTaskModel]</c> partial class into its Features, Prediction, Schema, Network
/// (TorchSharp and ONNX), Trainer and Predictor. Parse → validate → emit; the spec is the only value
/// that reaches the emitters, so an unrelated edit regenerates nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incrementality tests.</summary>
    public static class Steps
    {
        /// <summary>Parsing, then validating, one annotated class.</summary>
        public const string Parse = "Parse";

        /// <summary>The valid specs.</summary>
        public const string Spec = "Spec";

        /// <summary>The diagnostics.</summary>
        public const string Diagnostics = "Diagnostics";
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownAttributes.MultiTaskModel,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                static (context, cancellationToken) => Validator.Validate(Parser.Parse(context, cancellationToken)))
            .WithTrackingName(Steps.Parse);

        var diagnostics = parsed.Select(static (result, _) => result.Diagnostics).WithTrackingName(Steps.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (output, items) => Report(output, items));

        // The size rules need the build's settings, so they run beside the spec, not in the parse step.
        var settings = context.AnalyzerConfigOptionsProvider.Select(static (provider, _) => SizeSettings.Read(provider.GlobalOptions));
        context.RegisterSourceOutput(settings, static (output, settings) => Report(output, settings.Problems));
        var sizes = parsed.Combine(settings).Select(static (pair, _) => SizeRules.Check(pair.Left, pair.Right));
        context.RegisterSourceOutput(sizes, static (output, items) => Report(output, items));

        var specs = parsed
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(Steps.Spec);
        context.RegisterSourceOutput(specs, static (output, spec) => Emit(output, spec));
    }

    private static void Report(SourceProductionContext output, EquatableArray<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
            output.ReportDiagnostic(diagnostic);
    }

    private static void Emit(SourceProductionContext output, ModelSpec spec)
    {
        var layout = new ModelLayout(spec);
        var prefix = spec.FullName;
        output.AddSource($"{prefix}.Records.g.cs", RecordsEmitter.Emit(spec, layout));
        output.AddSource($"{prefix}.Schema.g.cs", SchemaEmitter.Emit(spec, layout));
        output.AddSource($"{prefix}.Network.g.cs", NetworkEmitter.Emit(spec, layout));
        output.AddSource($"{prefix}.Onnx.g.cs", OnnxEmitter.Emit(spec, layout));
        output.AddSource($"{prefix}.Trainer.g.cs", TrainerEmitter.Emit(spec, layout));
        output.AddSource($"{prefix}.Predictor.g.cs", PredictorEmitter.Emit(spec, layout));
        output.AddSource($"{prefix}.Summary.g.cs", SummaryEmitter.Emit(spec, layout));
        if (spec.IsConstructible)
            output.AddSource($"{prefix}.Data.g.cs", DataEmitter.Emit(spec));
    }
}
