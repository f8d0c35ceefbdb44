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
}
