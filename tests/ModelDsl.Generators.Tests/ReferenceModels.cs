namespace ModelDsl.Generators.Tests;

/// <summary>Model specs the generator tests share.</summary>
internal static class ReferenceModels
{
    /// <summary>A Shared-Bottom model with two embedding widths, numeric features, a binary and a regression task.</summary>
    public const string SharedBottom = """
        using ModelDsl;

        namespace Shop;

        [MultiTaskModel]
        [SharedBottom(64, 32)]
        [Regularization(EmbeddingL2 = 1e-5, DenseL2 = 1e-6, Dropout = 0.1, Activation = Activation.Gelu)]
        public partial class ClickModel
        {
            [Categorical(Vocabulary = 1000, Dim = 8)] public long UserId { get; init; }
            [Categorical(Vocabulary = 50, Dim = 4)] public int Country { get; init; }
            [Categorical(Vocabulary = 500, Dim = 8)] public int ItemId { get; init; }
            [Numeric] public float Price { get; init; }
            [Numeric] public double Age { get; init; }

            [BinaryTask(Tower = new[] { 16 })] public bool Click { get; init; }
            [RegressionTask(Tower = new[] { 16, 8 }, LossWeight = 0.5)] public float WatchTime { get; init; }

            public string Comment { get; init; } = "";
        }
        """;

    /// <summary>MMoE with gate hidden layers and two expert layers.</summary>
    public const string Mmoe = """
        using ModelDsl;

        namespace Video;

        [MultiTaskModel]
        [MixtureOfExperts(Experts = 4, ExpertUnits = new[] { 32, 16 }, GateUnits = new[] { 8 })]
        public partial class WatchModel
        {
            [Categorical(Vocabulary = 1000, Dim = 8)] public long UserId { get; init; }
            [Numeric] public float Age { get; init; }

            [BinaryTask(Tower = new[] { 8 })] public bool Like { get; init; }
            [RegressionTask] public double FinishRate { get; init; }
        }
        """;

    /// <summary>PLE with two levels, numeric features only (one an array).</summary>
    public const string Ple = """
        using ModelDsl;

        [MultiTaskModel]
        [ProgressiveLayeredExtraction(Levels = 2, SharedExperts = 2, TaskExperts = 1, ExpertUnits = new[] { 16 })]
        public partial class PleModel
        {
            [Numeric] public float X0 { get; init; }
            [Numeric] public float X1 { get; init; }
            [Numeric(Size = 3)] public double[] History { get; init; } = [];

            [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
            [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
        }
        """;

    /// <summary>An ESMM chain on OMoE (purchase declared before its given cart) and a YouTube-weighted click.</summary>
    public const string Funnel = """
        using ModelDsl;

        namespace Shop;

        [MultiTaskModel]
        [MixtureOfExperts(Experts = 3, ExpertUnits = new[] { 16 }, SharedGate = true)]
        [LossWeighting(LossWeightingStrategy.GradNorm, Alpha = 1)]
        public partial record FunnelModel
        {
            [Categorical(Vocabulary = 100, Dim = 4)] public int ItemId { get; init; }

            [BinaryTask] public bool Click { get; init; }
            [BinaryTask(Given = nameof(Cart))] public int Purchase { get; init; }
            [BinaryTask(Given = nameof(Click), LossWeight = 2)] public bool Cart { get; init; }
            [SampleWeight(For = nameof(Click), PositivesOnly = true)] public float DwellSeconds { get; init; }
        }
        """;

    /// <summary>Every feature type: a shared item table, sequences with each pooling, hashed strings, out-of-vocabulary policies, transforms, renamed columns.</summary>
    public const string Features = """
        using ModelDsl;

        namespace Shop;

        [MultiTaskModel]
        [SharedBottom(32)]
        public partial class FeedModel
        {
            [Categorical(Vocabulary = 1000, Dim = 8, Group = "item"), Column("item_id")] public long ItemId { get; init; }
            [Categorical(Vocabulary = 1000, Dim = 8, Group = "item", MaxLength = 20, Truncation = SequenceTruncation.KeepLast)] public long[] RecentItems { get; init; } = [];
            [Categorical(Vocabulary = 50, Dim = 4, MaxLength = 5, Pooling = Pooling.Sum)] public int[] Tags { get; init; } = [];
            [Categorical(Vocabulary = 4096, Dim = 8, MaxLength = 3, Pooling = Pooling.Max)] public string[] Queries { get; init; } = [];
            [Categorical(Vocabulary = 300, Dim = 4)] public string Country { get; init; } = "";
            [Categorical(Vocabulary = 100, Dim = 4, OutOfVocabulary = OutOfVocabulary.Reserved)] public int City { get; init; }
            [Numeric(Transform = NumericTransform.Log1p | NumericTransform.Standardize)] public float WatchCount { get; init; }
            [Numeric(Size = 2, Transform = NumericTransform.Standardize)] public double[] Position { get; init; } = [0, 0];

            [BinaryTask, Column("clicked")] public bool Click { get; init; }
            [RegressionTask] public float WatchMinutes { get; init; }
        }
        """;

    /// <summary>Learned vocabularies of raw ids and of strings, beside a sized id and a hashed string.</summary>
    public const string Learned = """
        using ModelDsl;

        namespace Shop;

        [MultiTaskModel]
        [SharedBottom(16)]
        public partial class LearnedModel
        {
            [Categorical(Learned = true, MinCount = 5, MaxSize = 100_000, Dim = 8)] public long UserId { get; init; }
            [Categorical(Vocabulary = 24, Dim = 8)] public int Hour { get; init; }
            [Categorical(Learned = true, MaxSize = 500, Dim = 4)] public string Country { get; init; } = "";
            [Categorical(Vocabulary = 1000, Dim = 4)] public string Query { get; init; } = "";
            [Numeric] public float Price { get; init; }

            [BinaryTask] public bool Click { get; init; }
        }
        """;

    /// <summary>Members named with C# keywords.</summary>
    public const string Keywords = """
        using ModelDsl;

        [MultiTaskModel]
        [SharedBottom(8)]
        public partial class KeywordModel
        {
            [Categorical(Vocabulary = 10, Dim = 2)] public int @class { get; init; }
            [Numeric] public float @double;
            [BinaryTask] public bool @event { get; init; }
            [SampleWeight(For = "event")] public float @fixed { get; init; }
        }
        """;

    /// <summary>
    /// PEPNet on MMoE: EPNet over a domain id and a numeric statistic, PPNet over user and item ids (the item a pooled
    /// sequence too) with towers of different depths, one task without a tower layer.
    /// </summary>
    public const string Pepnet = """
        using ModelDsl;

        namespace Feed;

        [MultiTaskModel]
        [MixtureOfExperts(Experts = 2, ExpertUnits = new[] { 16 })]
        [EmbeddingPersonalization(nameof(Domain), nameof(DomainCtr))]
        [ParameterPersonalization(nameof(UserId), nameof(RecentItems), GateUnits = 8)]
        public partial class DomainModel
        {
            [Categorical(Vocabulary = 1000, Dim = 8)] public long UserId { get; init; }
            [Categorical(Vocabulary = 500, Dim = 8, Group = "item")] public long ItemId { get; init; }
            [Categorical(Vocabulary = 500, Dim = 8, Group = "item", MaxLength = 4)] public long[] RecentItems { get; init; } = [];
            [Categorical(Vocabulary = 3, Dim = 4)] public int Domain { get; init; }
            [Numeric(Transform = NumericTransform.Standardize)] public float DomainCtr { get; init; }

            [BinaryTask(Tower = new[] { 16, 8 })] public bool Click { get; init; }
            [BinaryTask(Tower = new[] { 8 }, Given = nameof(Click))] public bool Like { get; init; }
            [RegressionTask] public float WatchTime { get; init; }
        }
        """;

    /// ESCM² on MMoE: conversion given click with the doubly robust regularizer (a training-only imputation tower
    /// reading the conversion's gate), cart given click with the inverse-propensity one.
    /// </summary>
    public const string Escm = """
        using ModelDsl;

        namespace Shop;

        [MultiTaskModel]
        [MixtureOfExperts(Experts = 2, ExpertUnits = new[] { 8 })]
        public partial class ConversionModel
        {
            [Categorical(Vocabulary = 100, Dim = 4)] public int ItemId { get; init; }
            [Numeric] public float Price { get; init; }

            [BinaryTask(Tower = new[] { 4 })] public bool Click { get; init; }
            [BinaryTask(Tower = new[] { 4 }, Given = nameof(Click), Counterfactual = CounterfactualRegularizer.DoublyRobust, CounterfactualWeight = 0.25)] public bool Purchase { get; init; }
            [BinaryTask(Given = nameof(Click), Counterfactual = CounterfactualRegularizer.InversePropensity, PropensityFloor = 0.05)] public bool Cart { get; init; }
        }
        """;

    /// <summary>Multiclass tasks on PLE: an enum label (its classes from the enum) and a weighted int label, beside a binary task.</summary>
    public const string Multiclass = """
        using ModelDsl;

        namespace Shop;

        public enum Genre { Drama, Comedy, Action }

        [MultiTaskModel]
        [ProgressiveLayeredExtraction(SharedExperts = 1, TaskExperts = 1, ExpertUnits = new[] { 16 })]
        public partial class GenreModel
        {
            [Categorical(Vocabulary = 100, Dim = 4)] public int ItemId { get; init; }
            [Numeric] public float Price { get; init; }

            [MulticlassTask(Tower = new[] { 8 })] public Genre Genre { get; init; }
            [MulticlassTask(Classes = 5, LossWeight = 0.5)] public int Rating { get; init; }
            [SampleWeight(For = nameof(Rating))] public float Confidence { get; init; }
            [BinaryTask] public bool Click { get; init; }
        }
        """;


    /// <summary>AdaTT with shared experts, HoME's expert normalization on two-layer experts, Swish.</summary>
    public const string Adatt = """
        using ModelDsl;

        namespace Feed;

        [MultiTaskModel]
        [AdaptiveTaskToTaskFusion(Levels = 2, TaskExperts = 2, SharedExperts = 1, ExpertUnits = new[] { 8, 4 }, ExpertNormalization = true)]
        [Regularization(Activation = Activation.Swish)]
        public partial class FusionModel
        {
            [Categorical(Vocabulary = 100, Dim = 4)] public long UserId { get; init; }
            [Numeric] public float Age { get; init; }

            [BinaryTask(Tower = new[] { 4 })] public bool Click { get; init; }
            [BinaryTask] public bool Like { get; init; }
            [RegressionTask] public float WatchTime { get; init; }
        }
        """;

    public static readonly string[] All = [SharedBottom, Mmoe, Ple, Funnel, Features, Keywords, Pepnet, Escm, Adatt, Multiclass, Learned];
}
