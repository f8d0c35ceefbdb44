namespace ModelDsl.Generators.Parsing;

/// <summary>What an argument the user leaves out reads as: the attribute's own default, from its source.</summary>
internal static class Defaults
{
    public static CategoricalAttribute Categorical { get; } = new();
    public static NumericAttribute Numeric { get; } = new();
    public static BinaryTaskAttribute BinaryTask { get; } = new();
    public static RegressionTaskAttribute RegressionTask { get; } = new();
    public static MulticlassTaskAttribute MulticlassTask { get; } = new();
    public static MixtureOfExpertsAttribute MixtureOfExperts { get; } = new();
    public static ProgressiveLayeredExtractionAttribute ProgressiveLayeredExtraction { get; } = new();
    public static AdaptiveTaskToTaskFusionAttribute AdaptiveTaskToTaskFusion { get; } = new();
}
