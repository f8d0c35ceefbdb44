namespace ModelDsl.Generators.Parsing;

/// <summary>Metadata names of the DSL's attributes: the runtime's own types, which the generator compiles.</summary>
internal static class KnownAttributes
{
    private const string Namespace = nameof(ModelDsl) + ".";

    public const string MultiTaskModel = Namespace + nameof(MultiTaskModelAttribute);
    public const string SharedBottom = Namespace + nameof(SharedBottomAttribute);
    public const string MixtureOfExperts = Namespace + nameof(MixtureOfExpertsAttribute);
    public const string ProgressiveLayeredExtraction = Namespace + nameof(ProgressiveLayeredExtractionAttribute);
    public const string AdaptiveTaskToTaskFusion = Namespace + nameof(AdaptiveTaskToTaskFusionAttribute);
    public const string SampleWeight = Namespace + nameof(SampleWeightAttribute);
    public const string LossWeighting = Namespace + nameof(LossWeightingAttribute);
    public const string Regularization = Namespace + nameof(RegularizationAttribute);
    public const string Categorical = Namespace + nameof(CategoricalAttribute);
    public const string Numeric = Namespace + nameof(NumericAttribute);
    public const string BinaryTask = Namespace + nameof(BinaryTaskAttribute);
    public const string RegressionTask = Namespace + nameof(RegressionTaskAttribute);
    public const string MulticlassTask = Namespace + nameof(MulticlassTaskAttribute);
    public const string Column = Namespace + nameof(ColumnAttribute);
    public const string EmbeddingPersonalization = Namespace + nameof(EmbeddingPersonalizationAttribute);
    public const string ParameterPersonalization = Namespace + nameof(ParameterPersonalizationAttribute);

    /// <summary>An attribute as the user writes it: <c>Categorical</c> for <c>CategoricalAttribute</c>.</summary>
    public static string ShortName(string typeName) =>
        typeName.EndsWith(nameof(System.Attribute), System.StringComparison.Ordinal) ? typeName.Substring(0, typeName.Length - nameof(System.Attribute).Length) : typeName;
}
