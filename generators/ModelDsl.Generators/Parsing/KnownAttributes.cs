namespace ModelDsl.Generators.Parsing;

/// <summary>Metadata names of the DSL's attributes.</summary>
internal static class KnownAttributes
{
    public const string MultiTaskModel = "ModelDsl.MultiTaskModelAttribute";
    public const string SharedBottom = "ModelDsl.SharedBottomAttribute";
    public const string MixtureOfExperts = "ModelDsl.MixtureOfExpertsAttribute";
    public const string ProgressiveLayeredExtraction = "ModelDsl.ProgressiveLayeredExtractionAttribute";
    public const string SampleWeight = "ModelDsl.SampleWeightAttribute";
    public const string LossWeighting = "ModelDsl.LossWeightingAttribute";
    public const string Regularization = "ModelDsl.RegularizationAttribute";
    public const string Categorical = "ModelDsl.CategoricalAttribute";
    public const string Numeric = "ModelDsl.NumericAttribute";
    public const string BinaryTask = "ModelDsl.BinaryTaskAttribute";
    public const string RegressionTask = "ModelDsl.RegressionTaskAttribute";
    public const string Column = "ModelDsl.ColumnAttribute";
}
