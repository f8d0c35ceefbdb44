using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using CsCheck;
using ModelDsl.Layers;
using Xunit;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// The generated model summary (the <c>&lt;remarks&gt;</c> of <c>*.Summary.g.cs</c>) against the TorchSharp network
/// it describes: per component (state_dict key prefix) and in total, its parameters and buffer values must be
/// what the network allocates, for every reference spec and a batch of random valid specs. Its MACs are checked by hand.
/// </summary>
public sealed partial class ModelSummaryTests
{
    [Fact]
    public void ReferenceSpecsCountTheNetworksParameters()
    {
        foreach (var source in ReferenceModels.All)
        {
            using var batch = SpecBatch.Compile([source]);
            AssertCounts(batch.Models[0]!, Summaries([source]).Single(), source);
        }
    }

    [Fact]
    public void RandomSpecsCountTheNetworksParameters() =>
        RandomValidModels.Valid.Array[60].Sample(models =>
        {
            var sources = models.Select((m, i) => (m with { Namespace = $"Spec{i}" }).Source).ToArray();
            using var batch = SpecBatch.Compile(sources);
            var summaries = Summaries(sources);
            for (var i = 0; i < sources.Length; i++)
                AssertCounts(batch.Models[i]!, summaries[i], sources[i]);
        }, iter: 1, threads: 1, print: models => $"a batch of {models.Length} specs");

    /// <summary>
    /// MMoE over an input of width 3 (one id embedded in 2, one number), 2 experts [4, 3], 2 gates [5], towers [2] and [].
    /// Experts: first layer 3·(2·4) = 24, second 2·(4·3) = 24. Gates: 3·(2·5) = 30, then one block-diagonal matmul
    /// (2·5)·(2·2) = 40, and the mix 2 gates · 2 experts · 3 units = 12. Towers read 3: 3·2 + 2·1 = 8 and 3·1 = 3.
    /// Serving: 24 + 24 + 30 + 40 + 12 + 8 + 3 = 141, one lookup. Training, with an embedding to train: 3 · 141 = 423.
    /// Parameters: table 10·2 = 20; experts 3·8 + 8 + 2·4·3 + 2·3 = 62; gates 3·10 + 10 + 10·4 + 4 = 84; towers 3·2 + 2 + 2 + 1 = 11 and 3 + 1 = 4.
    /// </summary>
    [Fact]
    public void MacsOfASmallMmoeByHand()
    {
        var summary = Summaries([Mmoe("[Categorical(Vocabulary = 10, Dim = 2)] public long A { get; init; }")]).Single();
        Assert.Equal(141, summary.Serving);
        Assert.Equal(423, summary.Training);
        Assert.Equal(1, summary.Lookups);
        Assert.Equal(new Dictionary<string, long> { ["embeddings_2"] = 20, ["experts"] = 62, ["gates"] = 84, ["tower_Click"] = 11, ["tower_Y"] = 4 },
            summary.Parts.ToDictionary(p => p.Key, p => p.Value.Parameters));
        Assert.Equal(181, summary.Total);
    }

    /// <summary>
    /// The same network over numbers only (width 3): nothing upstream of the input needs a gradient, so training
    /// skips the input gradients of the matmuls that read it, experts' 24 and gates' 30: 423 − 54 = 369.
    /// </summary>
    [Fact]
    public void MacsWithoutEmbeddingsSkipTheInputsGradient()
    {
        var summary = Summaries([Mmoe("[Numeric(Size = 2)] public float[] A { get; init; } = [];")]).Single();
        Assert.Equal(141, summary.Serving);
        Assert.Equal(369, summary.Training);
        Assert.Equal(0, summary.Lookups);
    }

    /// <summary>
    /// The same MMoE with PEPNet's gates. EPNet over X (column 2 of the input of width 3), 4 hidden units: it reads
    /// 1 + 3 = 4 values, 4·4 = 16 MACs, then 4·3 = 12 into the 3 scales; parameters 16 + 4 + 12 + 3 = 35. PPNet over A
    /// (columns 0 and 1): one gate, for the towers' first layer (Click's 2 units; Y has none), as wide as it: reads
    /// 2 + 3 = 5, 5·2 = 10 MACs, then 2·2 = 4; parameters 10 + 2 + 4 + 2 = 18. Serving: 141 + 28 + 14 = 183.
    /// Training with an embedding: 3 · 183 = 549. Over numbers only the gates' first layers read inputs that need no
    /// gradient (16 + 10 are skipped), but the experts and gates read the input times EPNet's scales, which does: 549 − 26 = 523.
    /// </summary>
    [Fact]
    public void MacsOfPepnetGatesByHand()
    {
        static string WithGates(string source) => source.Replace("public partial class M",
            "[EmbeddingPersonalization(nameof(X), GateUnits = 4)]\n[ParameterPersonalization(nameof(A))]\npublic partial class M", StringComparison.Ordinal);
        var summary = Summaries([WithGates(Mmoe("[Categorical(Vocabulary = 10, Dim = 2)] public long A { get; init; }"))]).Single();
        Assert.Equal(183, summary.Serving);
        Assert.Equal(549, summary.Training);
        Assert.Equal(35, summary.Parts["epnet"].Parameters);
        Assert.Equal(18, summary.Parts["ppnet"].Parameters);
        Assert.Equal(234, summary.Total);
        var numbers = Summaries([WithGates(Mmoe("[Numeric(Size = 2)] public float[] A { get; init; } = [];"))]).Single();
        Assert.Equal(183, numbers.Serving);
        Assert.Equal(523, numbers.Training);
    }

    /// <summary>
    /// ESCM²-DR's imputation tower, a twin of its task's tower, counts in parameters and training but not in serving.
    /// Input 3 (one id embedded in 2, one number); bottom [4]: 3·4 = 12 MACs, 16 parameters. Click's tower reads 4:
    /// 4 MACs, 5 parameters; Purchase's [2] and its imputation tower: 4·2 + 2 = 10 MACs and 8 + 2 + 2 + 1 = 13 parameters each.
    /// Serving 12 + 4 + 10 = 26; training 3 · (26 + 10) = 108; parameters 20 + 16 + 5 + 13 + 13 = 67.
    /// </summary>
    [Fact]
    public void TheImputationTowerCountsInTrainingOnly()
    {
        const string source = """
            using ModelDsl;

            namespace Small;

            [MultiTaskModel]
            [SharedBottom(4)]
            public partial class M
            {
                [Categorical(Vocabulary = 10, Dim = 2)] public long A { get; init; }
                [Numeric] public float X { get; init; }
                [BinaryTask] public bool Click { get; init; }
                [BinaryTask(Tower = new[] { 2 }, Given = nameof(Click), Counterfactual = CounterfactualRegularizer.DoublyRobust)] public bool Purchase { get; init; }
            }
            """;
        var summary = Summaries([source]).Single();
        Assert.Equal(26, summary.Serving);
        Assert.Equal(108, summary.Training);
        Assert.Equal(13, summary.Parts["imputation_Purchase"].Parameters);
        Assert.Equal(67, summary.Total);
        using var batch = SpecBatch.Compile([source]);
        AssertCounts(batch.Models[0]!, summary, source);
    }

    /// <summary>
    /// AdaTT over numbers only (width 3), 2 tasks × 2 experts and 1 shared expert [4] with HoME's normalization, 2 levels, towers [].
    /// Level 0 (5 experts, 3 gates: the tasks' and the shared one, each over all 5): experts 2·3·(2·4) + 3·4 = 60, gates 3·15 = 45,
    /// mix 3·5·4 = 60, residual 3·5·4 = 60: 225. Level 1 (separate inputs, 2 gates): experts 2·4·8 + 4·4 = 80, gates (2·4)·(2·5) = 80,
    /// mix 2·5·4 = 40, residual 40: 240. Towers 2·4. Serving 473; training 3 · 473 − (60 + 45) read from the input = 1,314.
    /// Parameters (a normalized layer has a scale and a shift per unit instead of a bias): level 0 experts 2·(3·8 + 2·8) + (3·4 + 2·4) = 100,
    /// gates 3·15 + 15 = 60, residual weights 2·2 + 1 = 5: 165; level 1 experts 2·(4·8 + 16) + (4·4 + 8) = 120, gates 8·10 + 10 = 90,
    /// residual 2·2 (no shared gate): 214; towers 2·5.
    /// Buffers: running mean and variance, 2·8 per task's experts and 2·4 for the shared, per level.
    /// </summary>
    [Fact]
    public void MacsOfASmallAdattByHand()
    {
        var source = """
            using ModelDsl;

            namespace Small;

            [MultiTaskModel]
            [AdaptiveTaskToTaskFusion(Levels = 2, TaskExperts = 2, SharedExperts = 1, ExpertUnits = new[] { 4 }, ExpertNormalization = true)]
            public partial class F
            {
                [Numeric(Size = 2)] public float[] A { get; init; } = [];
                [Numeric] public float X { get; init; }
                [BinaryTask] public bool Click { get; init; }
                [RegressionTask] public float Y { get; init; }
            }
            """;
        var summary = Summaries([source]).Single();
        Assert.Equal(473, summary.Serving);
        Assert.Equal(1314, summary.Training);
        Assert.Equal(new Dictionary<string, Counts> { ["level_0"] = new(165, 40), ["level_1"] = new(214, 40), ["tower_Click"] = new(5, 0), ["tower_Y"] = new(5, 0) },
            summary.Parts);
        using var batch = SpecBatch.Compile([source]);
        AssertCounts(batch.Models[0]!, summary, source);
    }

    [Fact]
    public void SummaryNamesTheOnnxInputsAndOutputs()
    {
        var text = SummaryTexts([ReferenceModels.Funnel]).Single();
        Assert.Contains("<c>categorical</c> int64 [batch,", text, StringComparison.Ordinal);
        Assert.Contains("<c>PurchaseGivenCart</c>: Probability of Purchase given Cart.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void LearnedStringsHaveAnOnnxInputOfTheirOwn()
    {
        var text = SummaryTexts([ReferenceModels.Learned]).Single();
        Assert.Contains("<c>categorical</c> int64 [batch, 3]", text, StringComparison.Ordinal);
        Assert.Contains("<c>strings</c> string [batch, 1]", text, StringComparison.Ordinal);
    }

    /// <summary>A multiclass task's tower ends in one unit per class, and its output is [batch, classes].</summary>
    [Fact]
    public void SummaryCountsAMulticlassTasksOutputUnits()
    {
        var text = SummaryTexts([ReferenceModels.Multiclass]).Single();
        Assert.Contains("<c>tower_Genre</c>, tower Genre [8] → 3: 163 parameters", text, StringComparison.Ordinal);
        Assert.Contains("<c>tower_Rating</c>, tower Rating → 5: 85 parameters", text, StringComparison.Ordinal);
        Assert.Contains("ONNX outputs, float [batch] (class probabilities [batch, classes]):", text, StringComparison.Ordinal);
        Assert.Contains("<c>GenreProbabilities</c> [batch, 3]: Probability of each of the 3 classes of Genre, indexed by class.", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// What the IDE shows on hover is the class's documentation comment: the user's summary and the generated
    /// remarks, merged across the partial declarations, with no documentation warning (well-formed XML).
    /// </summary>
    [Fact]
    public void SummaryMergesIntoTheClassDocumentation()
    {
        var options = GeneratorHarness.ParseOptions.WithDocumentationMode(Microsoft.CodeAnalysis.DocumentationMode.Diagnose);
        var source = Mmoe("[Categorical(Vocabulary = 10, Dim = 2)] public long A { get; init; }")
            .Replace("[MultiTaskModel]", "/// <summary>Mine.</summary>\n[MultiTaskModel]", StringComparison.Ordinal);
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compilation([("Model0.cs", source)], options), options);
        var xml = output.GetTypeByMetadataName("Small.M")!.GetDocumentationCommentXml();
        Assert.Contains("<summary>Mine.</summary>", xml, StringComparison.Ordinal);
        Assert.Contains("<item><description>Total: 181 parameters and 1 buffer values</description></item>", xml, StringComparison.Ordinal);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Location.SourceTree?.FilePath.EndsWith(".Summary.g.cs", StringComparison.Ordinal) == true));
    }

    private static string Mmoe(string feature) => $$"""
        using ModelDsl;

        namespace Small;

        [MultiTaskModel]
        [MixtureOfExperts(Experts = 2, ExpertUnits = new[] { 4, 3 }, GateUnits = new[] { 5 })]
        public partial class M
        {
            {{feature}}
            [Numeric] public float X { get; init; }
            [BinaryTask(Tower = new[] { 2 })] public bool Click { get; init; }
            [RegressionTask] public float Y { get; init; }
        }
        """;

    private static void AssertCounts(Type model, Summary summary, string source)
    {
        using var network = (MultiTaskNetwork)Activator.CreateInstance(model.GetNestedType("Network")!)!;
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.numel());
        var actual = network.state_dict().GroupBy(e => e.Key[..e.Key.IndexOf('.', StringComparison.Ordinal)])
            .ToDictionary(g => g.Key, g => new Counts(
                g.Where(e => parameters.ContainsKey(e.Key)).Sum(e => e.Value.numel()),
                g.Where(e => !parameters.ContainsKey(e.Key)).Sum(e => e.Value.numel())));
        Assert.True(Describe(summary.Parts) == Describe(actual), $"summary:\n{Describe(summary.Parts)}\nnetwork:\n{Describe(actual)}\nspec:\n{source}");
        Assert.Equal(parameters.Values.Sum(), summary.Total);
    }

    private static string Describe(IReadOnlyDictionary<string, Counts> parts) =>
        string.Join("\n", parts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"));

    private sealed record Counts(long Parameters, long Buffers);

    private sealed record Summary(Dictionary<string, Counts> Parts, long Total, long Serving, long Training, long Lookups);

    /// <summary>The summaries generated for <paramref name="sources"/>, in source order (spec i in namespace <c>Spec{i}</c>, or one spec).</summary>
    private static List<Summary> Summaries(string[] sources) => SummaryTexts(sources).Select(Read).ToList();

    private static List<string> SummaryTexts(string[] sources)
    {
        var (result, _) = GeneratorHarness.Run(sources);
        var summaries = result.Results.Single().GeneratedSources.Where(s => s.HintName.EndsWith(".Summary.g.cs", StringComparison.Ordinal)).ToList();
        return sources.Length == 1
            ? [summaries.Single().SourceText.ToString()]
            : sources.Select((_, i) => summaries.Single(s => s.HintName.StartsWith($"Spec{i}.", StringComparison.Ordinal)).SourceText.ToString()).ToList();
    }

    private static Summary Read(string text)
    {
        static long Number(string digits) => long.Parse(digits.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        var parts = Part().Matches(text).ToDictionary(m => m.Groups[1].Value,
            m => new Counts(Number(m.Groups[2].Value), m.Groups[3].Success ? Number(m.Groups[3].Value) : 0));
        var macs = Macs().Match(text);
        Assert.True(macs.Success, text);
        var lookups = Lookups().Match(text);
        return new Summary(parts, Number(Total().Match(text).Groups[1].Value), Number(macs.Groups[1].Value), Number(macs.Groups[2].Value),
            lookups.Success ? Number(lookups.Groups[1].Value) : 0);
    }

    [GeneratedRegex(@"<c>(\w+)</c>, [^\n]*?: ([\d,]+) parameters(?: and ([\d,]+) buffer values)?</description>")]
    private static partial Regex Part();

    [GeneratedRegex(@"Total: ([\d,]+) parameters")]
    private static partial Regex Total();

    [GeneratedRegex(@"serving ([\d,]+); training ([\d,]+) ")]
    private static partial Regex Macs();

    [GeneratedRegex(@"and ([\d,]+) embedding row lookups")]
    private static partial Regex Lookups();
}
