using System;
using System.Globalization;
using System.Linq;
using CsCheck;

namespace ModelDsl.Generators.Tests;

/// <summary>
/// Random specs that are valid by construction, over every option of the DSL: the four architectures
/// with their arguments (AdaTT only with two tasks or more) and HoME's expert normalization, regularization and activations, each loss weighting strategy; categorical
/// int, long and hashed string ids and int[], long[] and string[] sequences with each pooling and
/// truncation, out-of-vocabulary policies, shared groups and learned vocabularies; numeric scalars and arrays with each
/// transform; binary tasks of every label type, regression tasks, and multiclass tasks of int and enum
/// labels (<see cref="ClassEnum"/>), with towers and loss weights, Given
/// chains (declared in any order) with ESCM²'s regularizers, sample weights with and without PositivesOnly; PEPNet's EPNet and PPNet
/// gates over any features; [Column] renames;
/// fields and properties, classes and records. Networks stay tiny, so training one takes milliseconds.
/// </summary>
internal static class RandomValidModels
{
    /// <summary>The enum of multiclass labels, declared beside a model that uses it (<see cref="Model.Source"/>), and its members.</summary>
    public const string ClassEnum = "Grade";

    public static readonly string[] ClassEnumMembers = ["Low", "Mid", "High"];

    /// <summary>Names of members the generator adds, or of members of the records it builds.</summary>
    public static readonly string[] Reserved = ["Schema", "Features", "Network", "ToFeatures", "ToString", "Encode", "categorical", "ClickOdds", "PurchaseGivenClick"];

    /// <summary>Member names by role: features, tasks, sample weights. None is a task's derived output name (…Odds, …Given…).</summary>
    private static readonly string[][] Names =
        [["UserId", "ItemId", "Country", "Price", "Age", "Tags", "History", "Position"], ["Click", "Like", "Purchase", "Cart", "WatchTime"], ["Minutes", "Weight"]];

    /// <summary>[Column] names, templates over the member name (so unique): odd characters must survive as C# literals in the generated code.</summary>
    private static readonly string[] ColumnNames = ["col_{0}", "{0} column", "{0}-x", "{0}\"q\"", "{0}\\b", "é{0}"];

    private static readonly Gen<Declaration> Declarations = Gen.Select(Gen.Bool,
        Gen.Frequency((3, Gen.Const((string?)null)), (1, Gen.OneOf(ColumnNames).Select(c => (string?)c))),
        (field, column) => new Declaration(field, column));

    private static readonly Gen<FeatureDraft> Categorical =
        Gen.OneOf("int", "long", "string", "int[]", "long[]", "string[]").SelectMany(type =>
        {
            var sequence = type.EndsWith("[]", StringComparison.Ordinal);
            Gen<string?> SequenceOnly(Gen<string> gen) => sequence ? Optional(gen) : Gen.Const((string?)null);
            return Gen.Select(Gen.Int[1, 12], Gen.Int[1, 4], Optional(Gen.OneOf("a", "b")),
                type.StartsWith("string", StringComparison.Ordinal) ? Gen.Const((string?)null) : Optional(Gen.OneOf("Error", "Hash", "Reserved")),
                sequence ? Gen.Int[1, 4] : Gen.Const(0), SequenceOnly(Gen.OneOf("Mean", "Sum", "Max")), SequenceOnly(Gen.OneOf("Error", "KeepFirst", "KeepLast")),
                Declarations,
                (vocabulary, dim, group, oov, maxLength, pooling, truncation, declaration) =>
                    (FeatureDraft)new CategoricalDraft(type, vocabulary, dim, group, oov, maxLength, pooling, truncation, declaration));
        });

    /// <summary>Categorical features, one single id or string in four with a learned vocabulary sized as the drawn vocabulary.</summary>
    private static readonly Gen<FeatureDraft> CategoricalOrLearned = Categorical.SelectMany(draft =>
        draft is CategoricalDraft { MaxLength: 0 } single
            ? Gen.Int[0, 3].Select(k => k == 0 ? single with { Learned = true, Group = null, OutOfVocabulary = null } : draft)
            : Gen.Const(draft));

    private static readonly Gen<FeatureDraft> Numeric = Gen.Select(Gen.OneOf("float", "double", "float[]", "double[]"), Gen.Int[1, 3],
        Optional(Gen.OneOf("None", "Log1p", "Standardize", "Log1p | NumericTransform.Standardize")), Declarations,
        (type, size, transform, declaration) => (FeatureDraft)new NumericDraft(type, type.EndsWith("[]", StringComparison.Ordinal) ? size : 0, transform, declaration));

    /// <summary>ESCM²'s arguments, written only on a task with Given.</summary>
    private static readonly Gen<string?> Counterfactual = Optional(Gen.Select(Gen.OneOf("InversePropensity", "DoublyRobust"),
        Optional(Gen.OneOf("0", "0.5", "2")), Optional(Gen.OneOf("0.01", "0.1", "1")),
        (regularizer, weight, floor) => string.Join(", ", new[] { $"Counterfactual = CounterfactualRegularizer.{regularizer}", Named("CounterfactualWeight", weight), Named("PropensityFloor", floor) }.OfType<string>())));

    private static readonly Gen<TaskDraft> Tasks = Gen.Frequency((4, Gen.Const(TaskKind.Binary)), (2, Gen.Const(TaskKind.Regression)), (1, Gen.Const(TaskKind.Multiclass)))
        .SelectMany(kind => Gen.Select(
            kind switch
            {
                TaskKind.Binary => Gen.OneOf("bool", "int", "float", "double"),
                TaskKind.Regression => Gen.OneOf("float", "double"),
                _ => Gen.OneOf("int", ClassEnum),
            },
            Optional(Gen.Int[1, 4].Array[0, 2].Select(Ints)),
            Optional(Gen.OneOf("0", "0.5", "1", "2")), Gen.Frequency((2, Gen.Const(true)), (1, Gen.Const(false))), Declarations, Counterfactual, Gen.Int[2, 5],
            (type, tower, lossWeight, given, declaration, counterfactual, classes) => new TaskDraft(kind, type, tower, lossWeight, given, declaration)
            {
                Counterfactual = counterfactual,
                // Required for an int label; for the enum, its own count or left out.
                Classes = type == ClassEnum ? (classes % 2 == 0 ? null : ClassEnumMembers.Length) : classes,
            }));

    private static readonly Gen<WeightDraft> Weights = Gen.Select(Gen.OneOf("float", "double", "int"), Optional(Gen.OneOf("true", "false")), Declarations,
        (type, positivesOnly, declaration) => new WeightDraft(type, positivesOnly, declaration));

    private static readonly Gen<string> Architecture = Architectures(Gen.Int[1, 6].Array[1, 2], fusion: true);

    /// <summary>Architectures for one task: AdaTT would have no task to fuse (MDSL040).</summary>
    private static readonly Gen<string> SingleTaskArchitecture = Architectures(Gen.Int[1, 6].Array[1, 2], fusion: false);

    private static readonly Gen<string> Regularization = Gen.Select(
        Optional(Gen.OneOf("0", "0.1", "0.5")), Optional(Gen.OneOf("0", "1e-5")), Optional(Gen.OneOf("0", "1e-6")),
        Optional(Gen.OneOf("Relu", "LeakyRelu", "Tanh", "Gelu", "Swish").Select(a => "Activation." + a)),
        (dropout, embedding, dense, activation) => Attribute("Regularization",
            Named("Dropout", dropout), Named("EmbeddingL2", embedding), Named("DenseL2", dense), Named("Activation", activation)));

    private static readonly Gen<string> LossWeighting = Gen.Select(
        Gen.OneOf("Static", "Uncertainty", "GradNorm", "DynamicWeightAverage"), Optional(Gen.OneOf("0.5", "1.5")), Optional(Gen.OneOf("1", "2")),
        (strategy, alpha, temperature) => Attribute("LossWeighting", $"LossWeightingStrategy.{strategy}", Named("Alpha", alpha), Named("Temperature", temperature)));

    // After the generators they use: static fields initialize in order.

    /// <summary>Valid specs, learned vocabularies included, for the end-to-end property.</summary>
    public static readonly Gen<Model> Valid = Models(reservedNames: false, learned: true);

    /// <summary>
    /// Valid specs without learned vocabularies, for checks that take a bare network: a learned vocabulary is learned by a
    /// trainer from samples (it changes no layer: the network reads rows either way).
    /// </summary>
    public static readonly Gen<Model> ValidUnlearned = Models(reservedNames: false, learned: false);

    /// <summary>
    /// Valid specs, except that one in eight takes a reserved name for a member or the class: the
    /// generator must report it rather than emit code that does not compile.
    /// </summary>
    public static readonly Gen<Model> NearlyValid = Models(reservedNames: true, learned: true);

    private static Gen<Model> Models(bool reservedNames, bool learned)
    {
        var valid = Gen.Select(Gen.OneOf("M", "Ranker", "Funnel"), Gen.Frequency((3, Gen.Const(Shape.Plain)), (1, Gen.Const(Shape.Record))),
            Optional(Regularization), Optional(LossWeighting), Members(Names, learned),
            (name, shape, regularization, weighting, members) => (Name: name, Shape: shape, Regularization: regularization, Weighting: weighting, Members: members))
            .SelectMany(d => (d.Members.Count(IsTask) > 1 ? Architecture : SingleTaskArchitecture).Select(architecture => new Model(d.Name, d.Shape,
                new[] { architecture, d.Regularization, d.Weighting }.OfType<string>().ToArray(), d.Members)))
            .SelectMany(model => Personalization(model.Members).Select(gates => model with { ClassAttributes = model.ClassAttributes.Concat(gates).ToArray() }));
        if (!reservedNames)
            return valid;
        // The reserved name replaces one of the pool's names before any Given or For refers to it.
        var renamed = Gen.Select(Gen.OneOf(Reserved), Gen.Int[0, 2], Gen.Int[0, 7], (reserved, role, index) =>
            Names.Select((pool, r) => r != role ? pool : pool.Select((n, i) => i == index % pool.Length ? reserved : n).ToArray()).ToArray());
        var reservedMember = Gen.Select(SingleTaskArchitecture, renamed.SelectMany(names => Members(names, learned)),
            (architecture, members) => new Model("M", Shape.Plain, [architecture], members));
        var reservedClass = Gen.Select(Gen.OneOf("Schema", "Trainer", "Features", "Predictor"), SingleTaskArchitecture, Members(Names, learned),
            (name, architecture, members) => new Model(name, Shape.Plain, [architecture], members));
        return Gen.Frequency((14, valid), (1, reservedMember), (1, reservedClass));
    }

    private static bool IsTask(Member member) => member.Attributes.Any(a => a.StartsWith("BinaryTask", StringComparison.Ordinal) || a.StartsWith("RegressionTask", StringComparison.Ordinal));

    private static Gen<string> Architectures(Gen<int[]> units, bool fusion)
    {
        var gates = Optional(Gen.Int[1, 4].Array[0, 1].Select(Ints));
        var expertUnits = units.Select(Ints);
        var normalization = Optional(Gen.OneOf("true", "false"));
        Gen<string>[] architectures = [
            units.Select(u => $"SharedBottom({string.Join(", ", u)})"),
            Gen.Select(Gen.Int[1, 3], expertUnits, gates, Optional(Gen.OneOf("true", "false")), normalization,
                (experts, expert, gate, shared, normalize) => Attribute("MixtureOfExperts",
                    $"Experts = {experts}", $"ExpertUnits = {expert}", Named("GateUnits", gate), Named("SharedGate", shared), Named("ExpertNormalization", normalize))),
            Gen.Select(Optional(Gen.OneOf("1", "2")), Gen.Int[1, 2], Gen.Int[1, 2], expertUnits, gates, normalization,
                (levels, shared, task, expert, gate, normalize) => Attribute("ProgressiveLayeredExtraction",
                    Named("Levels", levels), $"SharedExperts = {shared}", $"TaskExperts = {task}", $"ExpertUnits = {expert}", Named("GateUnits", gate), Named("ExpertNormalization", normalize))),
            // AdaTT: shared experts optional (none is AdaTT-sp), one task expert (the identity residual) or two (learned).
            Gen.Select(Optional(Gen.OneOf("1", "2")), Optional(Gen.OneOf("0", "1", "2")), Gen.Int[1, 2], expertUnits, gates, normalization,
                (levels, shared, task, expert, gate, normalize) => Attribute("AdaptiveTaskToTaskFusion",
                    Named("Levels", levels), Named("SharedExperts", shared), $"TaskExperts = {task}", $"ExpertUnits = {expert}", Named("GateUnits", gate), Named("ExpertNormalization", normalize))),
        ];
        return Gen.OneOf(fusion ? architectures : architectures[..^1]);
    }

    /// <summary>
    /// PEPNet's attributes, each now and then: priors drawn from the features (any kind, any order), GateUnits
    /// set or not; <c>[ParameterPersonalization]</c> only where a task has a tower layer.
    /// </summary>
    private static Gen<string[]> Personalization(Member[] members)
    {
        var features = members.Where(m => m.Attributes[0].StartsWith("Categorical", StringComparison.Ordinal) || m.Attributes[0].StartsWith("Numeric", StringComparison.Ordinal))
            .Select(m => m.Name).ToArray();
        var towers = members.Any(m => m.Attributes[0].Contains("Tower = new[]", StringComparison.Ordinal));
        Gen<string?> Gate(string attribute) => Gen.Frequency((2, Gen.Const((string?)null)), (1,
            Gen.Select(Gen.Int[1, features.Length].SelectMany(n => Gen.Shuffle(features.ToArray(), n)), Optional(Gen.Int[1, 4].Select(u => u.ToString(CultureInfo.InvariantCulture))),
                (priors, units) => (string?)Attribute(attribute, priors.Select(p => (string?)$"nameof({p})").Append(Named("GateUnits", units)).ToArray()))));
        return Gen.Select(Gate("EmbeddingPersonalization"), towers ? Gate("ParameterPersonalization") : Gen.Const((string?)null),
            (ep, pp) => new[] { ep, pp }.OfType<string>().ToArray());
    }

    /// <summary>Features, then tasks, then sample weights, named from <paramref name="names"/>, with valid references among them.</summary>
    private static Gen<Member[]> Members(string[][] names, bool learned) =>
        Gen.Int[1, 5].SelectMany(features => Gen.Int[1, 4].SelectMany(tasks => Gen.Select(
            Gen.Shuffle(names[0].ToArray(), features), Gen.Frequency((2, learned ? CategoricalOrLearned : Categorical), (1, Numeric)).Array[features],
            Gen.Shuffle(names[1].ToArray(), tasks), Tasks.Array[tasks], Gen.Int[0, tasks - 1].Array[tasks],
            Gen.Shuffle(Enumerable.Range(0, tasks).ToArray()), Gen.Shuffle(Enumerable.Range(0, tasks).ToArray()),
            Weights.Array[0, Math.Min(tasks, names[2].Length)],
            (featureNames, featureDrafts, taskNames, taskDrafts, givens, order, weighted, weights) =>
            {
                var featureMembers = Unify(featureDrafts).Select((f, i) => f.Member(featureNames[i]));
                var taskMembers = taskDrafts.Select((t, i) => t.Member(taskNames[i], Given(taskDrafts, taskNames, i, givens[i]))).ToArray();
                var weightMembers = weights.Select((w, i) => w.Member(names[2][i], taskNames[weighted[i]], taskDrafts[weighted[i]].Binary));
                // Tasks in any order: a Given may name a task declared after it.
                return featureMembers.Concat(order.Select(i => taskMembers[i])).Concat(weightMembers).ToArray();
            })));

    /// <summary>A binary task may follow a binary task drafted before it, so chains never cycle.</summary>
    private static string? Given(TaskDraft[] drafts, string[] names, int task, int pick)
    {
        var earlier = Enumerable.Range(0, task).Where(i => drafts[i].Binary).ToArray();
        return drafts[task].Binary && drafts[task].HasGiven && earlier.Length > 0 ? names[earlier[pick % earlier.Length]] : null;
    }

    /// <summary>
    /// Makes the members of each group agree as the validator requires: the first member's Vocabulary and
    /// Dim, and one out-of-vocabulary mapping (Hash when the group has a string member, whose ids are hashed).
    /// </summary>
    private static FeatureDraft[] Unify(FeatureDraft[] drafts)
    {
        var result = drafts.ToArray();
        foreach (var group in drafts.OfType<CategoricalDraft>().Where(d => d.Group is not null).GroupBy(d => d.Group))
        {
            var leader = group.First();
            var oov = group.Any(d => d.Hashed) ? "Hash" : leader.OutOfVocabulary;
            for (var i = 0; i < result.Length; i++)
                if (result[i] is CategoricalDraft member && member.Group == group.Key)
                    result[i] = member with { Vocabulary = leader.Vocabulary, Dim = leader.Dim, OutOfVocabulary = member.Hashed ? null : oov };
        }
        return result;
    }

    /// <summary>A value half the time; null leaves the argument out.</summary>
    private static Gen<string?> Optional(Gen<string> gen) => Gen.Frequency((1, gen.Select(v => (string?)v)), (1, Gen.Const((string?)null)));

    internal static string? Named(string name, string? value) => value is null ? null : $"{name} = {value}";

    internal static string Attribute(string name, params string?[] arguments) =>
        arguments.All(a => a is null) ? name : $"{name}({string.Join(", ", arguments.OfType<string>())})";

    private static string Ints(int[] values) => values.Length == 0 ? "new int[0]" : $"new[] {{ {string.Join(", ", values)} }}";
}

/// <summary>How a member is declared: a field or a property, and its [Column] name template, if any.</summary>
internal sealed record Declaration(bool IsField, string? Column)
{
    public Member Member(string name, string type, string attribute) => new(name, type, IsField, false, Column is null
        ? [attribute]
        : [attribute, $"Column({Literal(string.Format(CultureInfo.InvariantCulture, Column, name))})"]);

    private static string Literal(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

internal abstract record FeatureDraft(Declaration Declaration)
{
    public abstract Member Member(string name);
}

internal sealed record CategoricalDraft(string Type, int Vocabulary, int Dim, string? Group, string? OutOfVocabulary, int MaxLength,
    string? Pooling, string? Truncation, Declaration Declaration) : FeatureDraft(Declaration)
{
    /// <summary>A learned vocabulary of at most <see cref="Vocabulary"/> values (MinCount 1, written or left to its default).</summary>
    public bool Learned { get; init; }

    /// <summary>String ids are hashed unless their vocabulary is learned.</summary>
    public bool Hashed => Type.StartsWith("string", StringComparison.Ordinal) && !Learned;

    public override Member Member(string name) => Declaration.Member(name, Type, RandomValidModels.Attribute("Categorical",
        Learned ? $"Learned = true, MaxSize = {Vocabulary}{(Vocabulary % 2 == 0 ? ", MinCount = 1" : "")}" : $"Vocabulary = {Vocabulary}", $"Dim = {Dim}",
        Group is null ? null : $"Group = \"{Group}\"",
        OutOfVocabulary is null ? null : $"OutOfVocabulary = OutOfVocabulary.{OutOfVocabulary}",
        MaxLength == 0 ? null : $"MaxLength = {MaxLength}",
        Pooling is null ? null : $"Pooling = Pooling.{Pooling}",
        Truncation is null ? null : $"Truncation = SequenceTruncation.{Truncation}"));
}

internal sealed record NumericDraft(string Type, int Size, string? Transform, Declaration Declaration) : FeatureDraft(Declaration)
{
    public override Member Member(string name) => Declaration.Member(name, Type, RandomValidModels.Attribute("Numeric",
        Size == 0 ? null : $"Size = {Size}",
        Transform is null ? null : $"Transform = NumericTransform.{Transform}"));
}

internal sealed record TaskDraft(TaskKind Kind, string Type, string? Tower, string? LossWeight, bool HasGiven, Declaration Declaration)
{
    public bool Binary => Kind == TaskKind.Binary;

    /// <summary>A multiclass task's Classes argument, or null to leave it out.</summary>
    public int? Classes { get; init; }

    /// <summary>ESCM²'s arguments, or null; written only with a Given.</summary>
    public string? Counterfactual { get; init; }

    public Member Member(string name, string? given) => Declaration.Member(name, Type, RandomValidModels.Attribute($"{Kind}Task",
        Kind == TaskKind.Multiclass && Classes is { } classes ? $"Classes = {classes}" : null,
        Tower is null ? null : $"Tower = {Tower}",
        LossWeight is null ? null : $"LossWeight = {LossWeight}",
        given is null ? null : $"Given = nameof({given})",
        given is null ? null : Counterfactual));
}

internal sealed record WeightDraft(string Type, string? PositivesOnly, Declaration Declaration)
{
    /// <summary>PositivesOnly = true on binary tasks only.</summary>
    public Member Member(string name, string task, bool binary) => Declaration.Member(name, Type, RandomValidModels.Attribute("SampleWeight",
        $"For = nameof({task})",
        PositivesOnly == "true" && !binary ? null : RandomValidModels.Named("PositivesOnly", PositivesOnly)));
}
