namespace ModelDsl;

/// <summary>Kinds of features.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum FeatureKind
{
    /// <summary>An integer id (or a hashed string, or a sequence of either) looked up in an embedding table.</summary>
    Categorical,

    /// <summary>A float fed to the network as it is.</summary>
    Numeric,
}

/// <summary>Kinds of tasks.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum TaskKind
{
    /// <summary>Binary classification: sigmoid output, binary cross-entropy.</summary>
    Binary,

    /// <summary>Regression: linear output, mean squared error.</summary>
    Regression,

    /// <summary>Multiclass classification: one logit per class, softmax cross-entropy.</summary>
    Multiclass,
}

/// <summary>What an output holds.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum OutputKind
{
    /// <summary>σ(logit) of a binary task; for a <c>Given</c> task the joint probability along its chain.</summary>
    Probability,

    /// <summary>The value of a regression task.</summary>
    Value,

    /// <summary>σ(logit) of a <c>Given</c> task: the probability conditional on its given task.</summary>
    Conditional,

    /// <summary>e^logit of a binary task weighted on positives: YouTube's expected-watch-time estimate.</summary>
    Odds,

    /// <summary>The softmax of a multiclass task's logits: one probability per class, [batch, classes].</summary>
    ClassProbabilities,
}

/// <summary>How a task's loss is weighted per sample.</summary>
#if !MODELDSL_GENERATOR
public
#endif
enum SampleWeighting
{
    /// <summary>Every sample weighs 1.</summary>
    None,

    /// <summary>Every sample weighs its weight member's value.</summary>
    All,

    /// <summary>Positives weigh the weight member's value, negatives 1 (YouTube's weighted logistic regression).</summary>
    PositivesOnly,
}
