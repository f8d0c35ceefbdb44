using System;
using System.Collections.Generic;

namespace ModelDsl.Benchmarks;

/// <summary>The reference MMoE of issue 7: 8 categorical features (vocabulary 10,000, dim 16), 8 numeric, 4 experts [128, 64], 2 binary tasks with towers [32].</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 4, ExpertUnits = new[] { 128, 64 })]
public partial class BenchMmoe
{
    public const int Categorical = 8, Vocabulary = 10_000, Dim = 16, Numeric = 8, Experts = 4, Expert1 = 128, Expert2 = 64, Tower = 32, Tasks = 2;

    [Categorical(Vocabulary = 10_000, Dim = 16)] public long C0 { get; init; }
    [Categorical(Vocabulary = 10_000, Dim = 16)] public long C1 { get; init; }
    [Categorical(Vocabulary = 10_000, Dim = 16)] public long C2 { get; init; }
    [Categorical(Vocabulary = 10_000, Dim = 16)] public long C3 { get; init; }
    [Categorical(Vocabulary = 10_000, Dim = 16)] public long C4 { get; init; }
    [Categorical(Vocabulary = 10_000, Dim = 16)] public long C5 { get; init; }
    [Categorical(Vocabulary = 10_000, Dim = 16)] public long C6 { get; init; }
    [Categorical(Vocabulary = 10_000, Dim = 16)] public long C7 { get; init; }
    [Numeric] public float N0 { get; init; }
    [Numeric] public float N1 { get; init; }
    [Numeric] public float N2 { get; init; }
    [Numeric] public float N3 { get; init; }
    [Numeric] public float N4 { get; init; }
    [Numeric] public float N5 { get; init; }
    [Numeric] public float N6 { get; init; }
    [Numeric] public float N7 { get; init; }
    [BinaryTask(Tower = new[] { 32 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 32 })] public bool Like { get; init; }

    /// <summary>Input width of the experts and gates: embeddings then numbers.</summary>
    public const int InputWidth = Categorical * Dim + Numeric;

    /// <summary>Multiply-add FLOPs (2 per multiply-add) of one sample's forward pass; embedding lookups, activations and the softmax are not counted.</summary>
    public const long ForwardFlops =
        2L * InputWidth * Experts * Expert1        // experts' first layer, one matmul
        + 2L * Experts * Expert1 * Expert2         // experts' second layer
        + Tasks * 2L * InputWidth * Experts        // gates
        + Tasks * 2L * Experts * Expert2           // mixing
        + Tasks * (2L * Expert2 * Tower + 2L * Tower); // towers and output layers

    /// <summary>Forward plus backward (gradients of inputs and of weights): about 3 × forward.</summary>
    public const long TrainFlops = 3 * ForwardFlops;

    /// <summary>Seeded synthetic samples: ids skewed towards small values, numbers normal, labels from a hidden logistic model.</summary>
    public static List<BenchMmoe> Synthetic(int count, int seed)
    {
        var random = new Random(seed);
        var samples = new List<BenchMmoe>(count);
        long Id() => (long)(Vocabulary * Math.Pow(random.NextDouble(), 2));
        float Normal() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        for (var i = 0; i < count; i++)
        {
            var c = new long[Categorical];
            var n = new float[Numeric];
            for (var f = 0; f < Categorical; f++)
                c[f] = Id();
            for (var f = 0; f < Numeric; f++)
                n[f] = Normal();
            var click = 0.8 * n[0] - 0.5 * n[1] + (c[0] % 7 == 0 ? 1.0 : -0.3) + 0.3 * n[2] * n[3];
            var like = 0.6 * n[0] + 0.4 * n[4] + (c[1] % 5 == 0 ? 1.2 : -0.4) - 1;
            samples.Add(new BenchMmoe
            {
                C0 = c[0], C1 = c[1], C2 = c[2], C3 = c[3], C4 = c[4], C5 = c[5], C6 = c[6], C7 = c[7],
                N0 = n[0], N1 = n[1], N2 = n[2], N3 = n[3], N4 = n[4], N5 = n[5], N6 = n[6], N7 = n[7],
                Click = random.NextDouble() < 1 / (1 + Math.Exp(-click)),
                Like = random.NextDouble() < 1 / (1 + Math.Exp(-like)),
            });
        }
        return samples;
    }
}

/// <summary>
/// <see cref="BenchMmoe"/> with learned vocabularies (MaxSize = its vocabulary) on every categorical feature, fed raw ids
/// (<see cref="BenchMmoe"/>'s times 7,919 plus 10⁹): the cost of the LabelEncoder lookups the exported graph adds.
/// </summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 4, ExpertUnits = new[] { 128, 64 })]
public partial class BenchMmoeLearned
{
    [Categorical(Learned = true, MaxSize = 10_000, Dim = 16)] public long C0 { get; init; }
    [Categorical(Learned = true, MaxSize = 10_000, Dim = 16)] public long C1 { get; init; }
    [Categorical(Learned = true, MaxSize = 10_000, Dim = 16)] public long C2 { get; init; }
    [Categorical(Learned = true, MaxSize = 10_000, Dim = 16)] public long C3 { get; init; }
    [Categorical(Learned = true, MaxSize = 10_000, Dim = 16)] public long C4 { get; init; }
    [Categorical(Learned = true, MaxSize = 10_000, Dim = 16)] public long C5 { get; init; }
    [Categorical(Learned = true, MaxSize = 10_000, Dim = 16)] public long C6 { get; init; }
    [Categorical(Learned = true, MaxSize = 10_000, Dim = 16)] public long C7 { get; init; }
    [Numeric] public float N0 { get; init; }
    [Numeric] public float N1 { get; init; }
    [Numeric] public float N2 { get; init; }
    [Numeric] public float N3 { get; init; }
    [Numeric] public float N4 { get; init; }
    [Numeric] public float N5 { get; init; }
    [Numeric] public float N6 { get; init; }
    [Numeric] public float N7 { get; init; }
    [BinaryTask(Tower = new[] { 32 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 32 })] public bool Like { get; init; }

    private static long Raw(long id) => id * 7_919 + 1_000_000_000;

    /// <summary>The same samples with raw ids.</summary>
    public static BenchMmoeLearned From(BenchMmoe s) => new()
    {
        C0 = Raw(s.C0), C1 = Raw(s.C1), C2 = Raw(s.C2), C3 = Raw(s.C3), C4 = Raw(s.C4), C5 = Raw(s.C5), C6 = Raw(s.C6), C7 = Raw(s.C7),
        N0 = s.N0, N1 = s.N1, N2 = s.N2, N3 = s.N3, N4 = s.N4, N5 = s.N5, N6 = s.N6, N7 = s.N7, Click = s.Click, Like = s.Like,
    };
}

/// <summary>
/// <see cref="BenchMmoe"/>'s graph with every width 1 (embedding dim, vocabulary 10, experts' and towers' units): the same
/// operations on tiny tensors, so a step costs what the framework charges per operation, not arithmetic or memory.
/// </summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 4, ExpertUnits = new[] { 1, 1 })]
public partial class BenchMmoeWidthOne
{
    [Categorical(Vocabulary = 10, Dim = 1)] public long C0 { get; init; }
    [Categorical(Vocabulary = 10, Dim = 1)] public long C1 { get; init; }
    [Categorical(Vocabulary = 10, Dim = 1)] public long C2 { get; init; }
    [Categorical(Vocabulary = 10, Dim = 1)] public long C3 { get; init; }
    [Categorical(Vocabulary = 10, Dim = 1)] public long C4 { get; init; }
    [Categorical(Vocabulary = 10, Dim = 1)] public long C5 { get; init; }
    [Categorical(Vocabulary = 10, Dim = 1)] public long C6 { get; init; }
    [Categorical(Vocabulary = 10, Dim = 1)] public long C7 { get; init; }
    [Numeric] public float N0 { get; init; }
    [Numeric] public float N1 { get; init; }
    [Numeric] public float N2 { get; init; }
    [Numeric] public float N3 { get; init; }
    [Numeric] public float N4 { get; init; }
    [Numeric] public float N5 { get; init; }
    [Numeric] public float N6 { get; init; }
    [Numeric] public float N7 { get; init; }
    [BinaryTask(Tower = new[] { 1 })] public bool Click { get; init; }
    [BinaryTask(Tower = new[] { 1 })] public bool Like { get; init; }

    /// <summary>The same samples, ids folded into the vocabulary of 10.</summary>
    public static BenchMmoeWidthOne From(BenchMmoe s) => new()
    {
        C0 = s.C0 % 10, C1 = s.C1 % 10, C2 = s.C2 % 10, C3 = s.C3 % 10, C4 = s.C4 % 10, C5 = s.C5 % 10, C6 = s.C6 % 10, C7 = s.C7 % 10,
        N0 = s.N0, N1 = s.N1, N2 = s.N2, N3 = s.N3, N4 = s.N4, N5 = s.N5, N6 = s.N6, N7 = s.N7, Click = s.Click, Like = s.Like,
    };
}
