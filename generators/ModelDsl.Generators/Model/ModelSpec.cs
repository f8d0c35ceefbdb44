namespace ModelDsl.Generators.Model;

/// <summary>
/// Everything the emitters need to know about one annotated class, as plain equatable values: no
/// symbols, syntax or locations, so an unrelated edit yields an equal spec and regenerates nothing.
/// Names are unescaped (<c>class</c> for <c>@class</c>); emitters escape what they write as code.
/// </summary>
internal sealed record ModelSpec(
    string Namespace,
    string ClassName,
    string Accessibility,
    bool IsRecord,
    EquatableArray<FeatureSpec> Features,
    EquatableArray<TaskSpec> Tasks,
    EquatableArray<SampleWeightSpec> SampleWeights,
    ArchitectureSpec Architecture,
    RegularizationSpec Regularization,
    LossWeightingSpec LossWeighting)
{
    /// <summary>Every feature, label and sample weight in declaration order, with its file column.</summary>
    public EquatableArray<DataColumnSpec> DataColumns { get; init; } = EquatableArray<DataColumnSpec>.Empty;

    /// <summary>Whether the class has a parameterless constructor and settable members, so file readers can build samples.</summary>
    public bool IsConstructible { get; init; }

    /// <summary><c>[EmbeddingPersonalization]</c> (PEPNet's EPNet), or null.</summary>
    public PersonalizationSpec? EmbeddingPersonalization { get; init; }

    /// <summary><c>[ParameterPersonalization]</c> (PEPNet's PPNet), or null.</summary>
    public PersonalizationSpec? ParameterPersonalization { get; init; }

    /// <summary>The task a task is given, or null.</summary>
    public TaskSpec? GivenOf(TaskSpec task) => IndexOf(task.Given) is var i and >= 0 ? Tasks[i] : null;

    /// <summary>The index of the task named <paramref name="task"/>, or −1.</summary>
    public int IndexOf(string task)
    {
        for (var i = 0; i < Tasks.Count; i++)
            if (Tasks[i].Name == task)
                return i;
        return -1;
    }

    /// <summary>The sample weight of a task, or null.</summary>
    public SampleWeightSpec? WeightOf(TaskSpec task)
    {
        foreach (var w in SampleWeights)
            if (w.For == task.Name)
                return w;
        return null;
    }

    /// <summary>The namespace-qualified class name as the runtime spells it (<c>A.class.M</c>, no <c>@</c>): also the hint names' prefix.</summary>
    public string FullName => Namespace.Length == 0 ? ClassName : $"{Namespace}.{ClassName}";
}

/// <summary>
/// A feature member. <paramref name="Type"/> is the member's type (<c>long</c>, <c>string[]</c>, …);
/// <paramref name="Size"/> is the number of values of a numeric array member, 0 for a scalar. Enum-valued
/// arguments are the runtime's own enums (the generator compiles their source files), named in generated
/// code by <c>SourceWriter.Enum</c>.
/// </summary>
internal sealed record FeatureSpec(string Name, FeatureKind Kind, MemberType Type, int Vocabulary, int Dim, int Size = 0)
{
    /// <summary>The shared embedding table's name, or empty.</summary>
    public string Group { get; init; } = "";

    public OutOfVocabulary OutOfVocabulary { get; init; }

    /// <summary>Most values of a sequence member.</summary>
    public int MaxLength { get; init; }

    public Pooling Pooling { get; init; }

    public SequenceTruncation Truncation { get; init; }

    public NumericTransform Transform { get; init; }

    /// <summary>What a missing (null) value of a string or nullable id member, or of a sequence, is.</summary>
    public MissingValue Missing { get; init; }

    /// <summary>The id a missing (null) value of a nullable id member stands for; −1 when unset.</summary>
    public int MissingId { get; init; } = -1;

    /// <summary>The value a missing (null) value of a nullable numeric member stands for; NaN when unset.</summary>
    public double MissingFill { get; init; } = double.NaN;

    /// <summary>Whether the vocabulary is learned from the training data; <see cref="Vocabulary"/> is then its MaxSize.</summary>
    public bool IsLearned { get; init; }

    /// <summary>A learned vocabulary's least count for a value to get its own row.</summary>
    public int MinCount { get; init; } = 1;

    public bool IsVector => Type.IsArray;

    /// <summary>A categorical array: pooled embeddings of up to MaxLength ids.</summary>
    public bool IsSequence => Kind == FeatureKind.Categorical && IsVector;

    /// <summary>String ids, hashed into the vocabulary (unless it is learned).</summary>
    public bool IsHashed => Type.IsString && !IsLearned;

    /// <summary>Input columns the feature takes.</summary>
    public int Width => !IsVector ? 1 : Kind == FeatureKind.Categorical ? MaxLength : Size;

    /// <summary>Rows of its table segment: the vocabulary, plus the reserved out-of-vocabulary or missing row (a hashed string has no out-of-vocabulary value).</summary>
    public int Rows => Vocabulary + (HasExtraRow ? 1 : 0);

    /// <summary>Whether its segment has a row past the vocabulary, index <c>Vocabulary</c>: the reserved out-of-vocabulary or missing row, or a learned vocabulary's out-of-vocabulary row.</summary>
    public bool HasExtraRow => OutOfVocabulary == OutOfVocabulary.Reserved || Missing == MissingValue.Category || IsLearned;

    /// <summary>Features with the same key look up the same table segment.</summary>
    public string SegmentKey => Group.Length > 0 ? "group " + Group : Name;
}

/// <summary>
/// A member read from a data file column by the generated <c>ReadCsv</c>/<c>ReadParquet</c>:
/// its <c>[Column]</c> name (the member name when absent) and its type.
/// </summary>
internal sealed record DataColumnSpec(string Member, string Column, MemberType Type)
{
    /// <summary>Its 0-based field in a CSV file without a header, from <c>[Column(Index = n)]</c>; −1 when unset.</summary>
    public int Index { get; init; } = -1;

    /// <summary>Whether <c>[Column]</c> names the column.</summary>
    public bool IsNamed { get; init; }
}

/// <summary>
/// A task member: its label type, tower units and static loss weight; <paramref name="Given"/> names
/// the binary task it is conditioned on (ESMM), or is empty.
/// </summary>
internal sealed record TaskSpec(string Name, TaskKind Kind, MemberType Type, EquatableArray<int> Tower, double LossWeight, string Given)
{
    /// <summary>A binary label's text in data files for true, or empty when labels are 0/1/true/false.</summary>
    public string Positive { get; init; } = "";

    /// <summary>A binary label's text in data files for false, or empty.</summary>
    public string Negative { get; init; } = "";

    /// <summary>ESCM²'s regularizer of a Given task's conditional estimate (training only).</summary>
    public CounterfactualRegularizer Counterfactual { get; init; }

    public double CounterfactualWeight { get; init; } = BinaryTaskAttribute.DefaultCounterfactualWeight;

    public double PropensityFloor { get; init; } = BinaryTaskAttribute.DefaultPropensityFloor;

    /// <summary>Whether the network has a training-only imputation tower for this task (ESCM²-DR).</summary>
    public bool HasImputation => Counterfactual == CounterfactualRegularizer.DoublyRobust;

    /// <summary>A multiclass task's <c>Classes</c> as written; 0 when left out.</summary>
    public int Classes { get; init; }

    /// <summary>A multiclass label's enum, fully qualified with <c>global::</c>, or empty for an <c>int</c> label.</summary>
    public string EnumType { get; init; } = "";

    /// <summary>Members of a multiclass label's enum (numbered 0 to n − 1, which the parser checks); 0 for an <c>int</c> label.</summary>
    public int EnumMembers { get; init; }

    /// <summary>A multiclass task's number of classes: <c>Classes</c>, else its enum's members.</summary>
    public int ClassCount => Classes > 0 ? Classes : EnumMembers;

    /// <summary>Output units of the task's tower, its columns in the network's output: its classes, or 1.</summary>
    public int Width => Kind == TaskKind.Multiclass ? ClassCount : 1;

    /// <summary>The type of a multiclass task's most likely class in <c>Prediction</c>: its enum, or <c>int</c>.</summary>
    public string ClassType => EnumType.Length > 0 ? EnumType : "int";
}

/// <summary>A <c>[SampleWeight]</c> member weighting task <paramref name="For"/>'s loss.</summary>
internal sealed record SampleWeightSpec(string Name, MemberType Type, string For, bool PositivesOnly);

internal enum ArchitectureKind
{
    SharedBottom,
    MixtureOfExperts,
    ProgressiveLayeredExtraction,
    AdaptiveTaskToTaskFusion,
}

/// <summary>
/// The architecture attribute of the class. <paramref name="Units"/> are the Shared-Bottom layers;
/// the expert fields apply to the mixture-of-experts kinds; <paramref name="ExpertNormalization"/> is HoME's.
/// </summary>
internal sealed record ArchitectureSpec(
    ArchitectureKind Kind,
    EquatableArray<int> Units,
    int Experts = 0,
    EquatableArray<int> ExpertUnits = default,
    EquatableArray<int> GateUnits = default,
    bool SharedGate = false,
    int Levels = 0,
    int SharedExperts = 0,
    int TaskExperts = 0,
    bool ExpertNormalization = false)
{
    /// <summary>The attribute's name as the user writes it.</summary>
    public string AttributeName => Kind.ToString();
}

/// <summary><c>[Regularization]</c>, or its defaults.</summary>
internal sealed record RegularizationSpec(double EmbeddingL2, double DenseL2, double Dropout, Activation Activation)
{
    private static readonly RegularizationAttribute Defaults = new();

    public static RegularizationSpec Default { get; } = new(Defaults.EmbeddingL2, Defaults.DenseL2, Defaults.Dropout, Defaults.Activation);
}

/// <summary><c>[LossWeighting]</c>, or static weights. Training-only: not part of the fingerprint.</summary>
internal sealed record LossWeightingSpec(LossWeightingStrategy Strategy, double Alpha, double Temperature)
{
    public static LossWeightingSpec Default { get; } =
        new(LossWeightingStrategy.Static, LossWeightingAttribute.DefaultAlpha, LossWeightingAttribute.DefaultTemperature);
}

/// <summary>A PEPNet gate's prior feature members and hidden units (0: as wide as what it scales).</summary>
internal sealed record PersonalizationSpec(EquatableArray<string> Priors, int GateUnits);
