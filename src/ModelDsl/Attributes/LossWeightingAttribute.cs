using System;

namespace ModelDsl;

/// <summary>
/// How task losses are balanced during training; <c>TrainingOptions.LossWeighting</c> overrides it for
/// one run. Without this attribute each task's loss is multiplied by its static <c>LossWeight</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
sealed partial class LossWeightingAttribute : Attribute
{
    /// <summary>Chooses the strategy.</summary>
    public LossWeightingAttribute(LossWeightingStrategy strategy) => Strategy = strategy;

    /// <summary>The strategy.</summary>
    public LossWeightingStrategy Strategy { get; }

    /// <summary>The default of <see cref="Alpha"/>.</summary>
    public const double DefaultAlpha = 1.5;

    /// <summary>The default of <see cref="Temperature"/>.</summary>
    public const double DefaultTemperature = 2;

    /// <summary>GradNorm's asymmetry α (the paper uses 0.12–1.5). Default <see cref="DefaultAlpha"/>.</summary>
    public double Alpha { get; set; } = DefaultAlpha;

    /// <summary>Dynamic Weight Average's temperature T. Default <see cref="DefaultTemperature"/>.</summary>
    public double Temperature { get; set; } = DefaultTemperature;
}

/// <summary>Loss weighting strategies.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum LossWeightingStrategy
{
    /// <summary>Σ wₖ·Lₖ with each task's static <c>LossWeight</c>.</summary>
    Static,

    /// <summary>Kendall, Gal &amp; Cipolla 2018: learned log-variances sₖ; e^(−sₖ)·Lₖ + ½sₖ (½e^(−sₖ)·Lₖ for regression).</summary>
    Uncertainty,

    /// <summary>Chen et al. 2018: weights learned so each task's gradient norm on the last shared layer tracks its relative training rate.</summary>
    GradNorm,

    /// <summary>Liu et al. 2019: weights from the ratio of each task's last two epoch losses, softmax with temperature.</summary>
    DynamicWeightAverage,
}
