namespace ModelDsl.Training;

/// <summary>Which loss weighting strategy a run uses, with its hyper-parameters.</summary>
/// <param name="Strategy">The strategy.</param>
/// <param name="Alpha">GradNorm's α.</param>
/// <param name="Temperature">Dynamic Weight Average's T.</param>
public sealed record LossWeightingSettings(LossWeightingStrategy Strategy, double Alpha = LossWeightingAttribute.DefaultAlpha, double Temperature = LossWeightingAttribute.DefaultTemperature)
{
    /// <summary>Static <c>LossWeight</c>s.</summary>
    public static LossWeightingSettings Static { get; } = new(LossWeightingStrategy.Static);
}
