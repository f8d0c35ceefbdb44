using Microsoft.CodeAnalysis;

namespace ModelDsl.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports, in one place. Messages name the class, the member and the
/// argument, and say what would be valid; docs/diagnostics.md has an entry for each id, and
/// AnalyzerReleases.Unshipped.md lists each id until a release ships it.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "ModelDsl";
    private const string HelpBase = "https://github.com/modeldsl/modeldsl/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor NotPartial = Error(DiagnosticIds.NotPartial,
        "Model class must be partial",
        "Model class '{0}' must be declared partial so the generator can add its Features, Prediction, Network, Trainer and Predictor types");

    public static readonly DiagnosticDescriptor Nested = Error(DiagnosticIds.Nested,
        "Model class must not be nested",
        "Model class '{0}' is nested in '{1}'; declare it at namespace level");

    public static readonly DiagnosticDescriptor Generic = Error(DiagnosticIds.Generic,
        "Model class must not be generic",
        "Model class '{0}' has type parameters {1}; a model spec is a concrete class, remove them");

    public static readonly DiagnosticDescriptor NoArchitecture = Error(DiagnosticIds.NoArchitecture,
        "Model has no architecture",
        "Model class '{0}' has no architecture attribute; add one of [SharedBottom], [MixtureOfExperts], [ProgressiveLayeredExtraction] or [AdaptiveTaskToTaskFusion], e.g. [SharedBottom(128, 64)]");

    public static readonly DiagnosticDescriptor SeveralArchitectures = Error(DiagnosticIds.SeveralArchitectures,
        "Model has more than one architecture",
        "Model class '{0}' already has the architecture [{1}]; remove [{2}]");

    public static readonly DiagnosticDescriptor NoTask = Error(DiagnosticIds.NoTask,
        "Model has no task",
        "Model class '{0}' has no task; mark a label member with [BinaryTask], [RegressionTask] or [MulticlassTask]");

    public static readonly DiagnosticDescriptor NoFeature = Error(DiagnosticIds.NoFeature,
        "Model has no feature",
        "Model class '{0}' has no feature; mark an input member with [Categorical] or [Numeric]");

    public static readonly DiagnosticDescriptor UnsupportedType = Error(DiagnosticIds.UnsupportedType,
        "Attribute on a member of an unsupported type",
        "[{0}] on '{1}.{2}' needs a member of type {3}, but '{2}' is '{4}'");

    public static readonly DiagnosticDescriptor NotPositive = Error(DiagnosticIds.NotPositive,
        "Size must be positive",
        "{0} of [{1}] on '{2}' is {3}; it must be {4}");

    public static readonly DiagnosticDescriptor NegativeLossWeight = Error(DiagnosticIds.NegativeLossWeight,
        "Loss weight must be finite and not negative",
        "LossWeight of task '{0}.{1}' is {2}; it must be a finite number, zero or positive");

    public static readonly DiagnosticDescriptor ValueOutOfRange = Error(DiagnosticIds.ValueOutOfRange,
        "Argument value out of range",
        "{0} of [{1}] on '{2}' is {3}; it must be {4}");

    public static readonly DiagnosticDescriptor SeveralRoles = Error(DiagnosticIds.SeveralRoles,
        "Member has more than one role",
        "'{0}.{1}' is already marked [{2}]; a member is one feature, one task or one sample weight, remove [{3}]");

    public static readonly DiagnosticDescriptor ReservedName = Error(DiagnosticIds.ReservedName,
        "Member name collides with a generated member",
        "Member '{0}.{1}' collides with {2} that the generator adds to '{3}'; rename the member");

    public static readonly DiagnosticDescriptor NotInstanceMember = Error(DiagnosticIds.NotInstanceMember,
        "Annotated member must be a readable instance field or property",
        "'{0}.{1}' is {2}; a feature, task or sample weight must be an instance field or a property with a getter");

    public static readonly DiagnosticDescriptor UnknownGiven = Error(DiagnosticIds.UnknownGiven,
        "Given names no task of the model",
        "Given of task '{0}.{1}' is '{2}', which is not a task of '{0}'; {3}");

    public static readonly DiagnosticDescriptor GivenNotBinary = Error(DiagnosticIds.GivenNotBinary,
        "Given names a task that is not binary",
        "Given of task '{0}.{1}' is '{2}', a {3} task; {4}");

    public static readonly DiagnosticDescriptor GivenCycle = Error(DiagnosticIds.GivenCycle,
        "Given tasks form a cycle",
        "Given of task '{0}.{1}' closes the cycle {2}; a chain of Given tasks must end at a task without Given");

    public static readonly DiagnosticDescriptor UnknownWeightedTask = Error(DiagnosticIds.UnknownWeightedTask,
        "Sample weight for an unknown task",
        "For of [SampleWeight] on '{0}.{1}' is {2}, which names no task of '{0}'; {3}");

    public static readonly DiagnosticDescriptor TaskWeightedTwice = Error(DiagnosticIds.TaskWeightedTwice,
        "Task has more than one sample weight",
        "Task '{0}.{1}' is already weighted by '{2}'; remove [SampleWeight] from '{3}'");

    public static readonly DiagnosticDescriptor PositivesOnlyNotBinary = Error(DiagnosticIds.PositivesOnlyNotBinary,
        "PositivesOnly needs a binary task",
        "[SampleWeight(PositivesOnly = true)] on '{0}.{1}' weights {2} task '{3}', which has no positives; remove PositivesOnly");

    public static readonly DiagnosticDescriptor ReservedClassName = Error(DiagnosticIds.ReservedClassName,
        "Model class name collides with a generated member",
        "Model class '{0}' has the name of a member the generator nests in it; rename the class (not {1})");

    public static readonly DiagnosticDescriptor SizeOnScalar = Error(DiagnosticIds.SizeOnScalar,
        "Size on a scalar numeric member",
        "Size of [Numeric] on '{0}.{1}' is for float[] and double[] members, but '{1}' is '{2}'; remove Size or declare an array");

    public static readonly DiagnosticDescriptor SequenceArgumentOnScalar = Error(DiagnosticIds.SequenceArgumentOnScalar,
        "Sequence argument on a single-id member",
        "{2} of [Categorical] on '{0}.{1}' is for int[], long[] and string[] members, but '{1}' is '{3}'; remove {2} or declare an array");

    public static readonly DiagnosticDescriptor GroupMismatch = Error(DiagnosticIds.GroupMismatch,
        "Features of one embedding group differ",
        "'{0}.{1}' is in embedding group '{2}' with {3} = {4}, but '{0}.{5}' in that group has {3} = {6}; features sharing a table need the same Vocabulary, Dim and OutOfVocabulary");

    public static readonly DiagnosticDescriptor OutOfVocabularyOnString = Error(DiagnosticIds.OutOfVocabularyOnString,
        "OutOfVocabulary on a string member",
        "OutOfVocabulary of [Categorical] on '{0}.{1}' does not apply: '{1}' is '{2}', whose values are always hashed into the vocabulary; remove OutOfVocabulary");

    public static readonly DiagnosticDescriptor InvalidColumn = Error(DiagnosticIds.InvalidColumn,
        "Invalid data column name",
        "[Column] of '{0}.{1}' is {2}; {3}");

    public static readonly DiagnosticDescriptor InvalidDataArgument = Error(DiagnosticIds.InvalidDataArgument,
        "Invalid missing-value or text-label argument",
        "{0} of [{1}] on '{2}.{3}' {4}; {5}");

    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error(DiagnosticIds.UndefinedEnumValue,
        "Enum argument has an undefined value",
        "{0} of [{1}] on '{2}' is {3}; it must be {4}");

    public static readonly DiagnosticDescriptor InheritedMember = Error(DiagnosticIds.InheritedMember,
        "Annotated member declared in a base class",
        "'{0}' inherits the [{1}] member '{2}' from '{3}', but a model reads only the members its own class declares; declare '{2}' in '{0}'");

    public static readonly DiagnosticDescriptor LanguageVersionTooLow = Error(DiagnosticIds.LanguageVersionTooLow,
        "Model needs C# 10 or later",
        "Model class '{0}' is generated as C# 10 (file-scoped namespaces, record structs), but the project compiles C# {1}; set <LangVersion>10</LangVersion> or later in the project file");

    public static readonly DiagnosticDescriptor LargeModel = new(DiagnosticIds.LargeModel,
        "Model is large",
        "Model class '{0}' has {1} parameters ({2} of float32 weights), more than ModelDslSummaryThresholdParameters = {3}; its documentation summarizes the cost per component",
        Category, DiagnosticSeverity.Info, isEnabledByDefault: true, helpLinkUri: HelpBase + DiagnosticIds.LargeModel.ToLowerInvariant());

    public static readonly DiagnosticDescriptor EmbeddingTableTooLarge = Warning(DiagnosticIds.EmbeddingTableTooLarge,
        "Embedding table over 2^31 rows",
        "The embedding table of width {1} of '{0}' ({2}) has {3} rows ({4} of float32 weights), more than 2^31 - 1: its row ids do not fit an int32, as ONNX hosts that index in int32 (TensorRT) need; give some of these features another Dim, or lower their Vocabulary");

    public static readonly DiagnosticDescriptor OverMemoryBudget = Warning(DiagnosticIds.OverMemoryBudget,
        "Model does not fit the memory budget",
        "Model class '{0}' needs {1} for its float32 weights and Adam's two moments, more than ModelDslMemoryBudgetGiB = {2} GiB; shrink the largest components (see the class's summary) or raise the budget");

    public static readonly DiagnosticDescriptor InvalidBuildProperty = Warning(DiagnosticIds.InvalidBuildProperty,
        "Invalid ModelDsl build property",
        "The MSBuild property {0} is '{1}'; it must be {2}, so the default {3} applies");

    public static readonly DiagnosticDescriptor InvalidClasses = Error(DiagnosticIds.InvalidClasses,
        "Invalid number of classes",
        "Classes of [MulticlassTask] on '{0}.{1}' is {2}; {3}");

    public static readonly DiagnosticDescriptor InvalidClassEnum = Error(DiagnosticIds.InvalidClassEnum,
        "Multiclass label enum is not numbered 0 to n − 1",
        "The label '{0}.{1}' of [MulticlassTask] is the enum '{2}', whose members have {3}; a label enum's members must be numbered 0, 1, …, n − 1, with n at least 2, as class indices");

    public static readonly DiagnosticDescriptor FusionOfOneTask = Warning(DiagnosticIds.FusionOfOneTask,
        "Task-to-task fusion with one task",
        "Model class '{0}' has one task, '{1}', so [AdaptiveTaskToTaskFusion] has no other task to fuse: its gate mixes only the task's own experts (and shared ones); use [MixtureOfExperts] or [ProgressiveLayeredExtraction] for one task, or add a task");

    public static readonly DiagnosticDescriptor UnknownPrior = Error(DiagnosticIds.UnknownPrior,
        "Prior names no feature of the model",
        "Prior '{2}' of [{1}] on '{0}' is {3}; a prior must be a [Categorical] or [Numeric] member of '{0}', e.g. nameof({4})");

    public static readonly DiagnosticDescriptor NoPrior = Error(DiagnosticIds.NoPrior,
        "Personalization names no prior feature",
        "[{1}] on '{0}' names no prior feature; name the features its gate reads, e.g. [{1}(nameof({2}))]");

    public static readonly DiagnosticDescriptor PriorTwice = Error(DiagnosticIds.PriorTwice,
        "Prior feature named twice",
        "[{1}] on '{0}' names the prior '{2}' more than once; name each feature once");

    public static readonly DiagnosticDescriptor NoTowerToPersonalize = Error(DiagnosticIds.NoTowerToPersonalize,
        "No tower layer to personalize",
        "[ParameterPersonalization] on '{0}' scales tower layers, but no task of '{0}' has one; give a task a tower, e.g. [BinaryTask(Tower = new[] {{ 16 }})], or remove the attribute");

    public static readonly DiagnosticDescriptor CounterfactualWithoutGiven = Error(DiagnosticIds.CounterfactualWithoutGiven,
        "Counterfactual regularizer needs a Given task",
        "Counterfactual of [BinaryTask] on '{0}.{1}' is {2}, but '{1}' has no Given: the regularizer weighs the error of '{1}' given another task by that task's predicted probability; {3}");

    public static readonly DiagnosticDescriptor CounterfactualArgumentUnused = Error(DiagnosticIds.CounterfactualArgumentUnused,
        "Counterfactual argument without a regularizer",
        "{2} of [BinaryTask] on '{0}.{1}' applies only with a Counterfactual regularizer, and '{1}' has none; set Counterfactual = CounterfactualRegularizer.InversePropensity or DoublyRobust, or remove {2}");

    public static readonly DiagnosticDescriptor VocabularyRowsOverflow = Error(DiagnosticIds.VocabularyRowsOverflow,
        "Vocabulary leaves no row for the extra category",
        "Vocabulary of [Categorical] on '{0}.{1}' is {2}, and {3} adds a row at index {2}: its table segment would need {4} rows, more than the 2,147,483,647 an int row count holds; lower Vocabulary to at most 2,147,483,646");

    public static readonly DiagnosticDescriptor LearnedOnUnsupportedType = Error(DiagnosticIds.LearnedOnUnsupportedType,
        "Learned vocabulary on a member that cannot learn one",
        "Learned of [Categorical] on '{0}.{1}' applies to int, long and string members, but '{1}' is '{2}'; remove Learned, or declare a single id or string");

    public static readonly DiagnosticDescriptor LearnedVocabularySize = Error(DiagnosticIds.LearnedVocabularySize,
        "Invalid size of a learned vocabulary",
        "The learned vocabulary of '{0}.{1}' is invalid: {2}; {3}");

    public static readonly DiagnosticDescriptor LearnedWithReplacedArgument = Error(DiagnosticIds.LearnedWithReplacedArgument,
        "Argument that a learned vocabulary replaces",
        "{0} of [Categorical] on '{1}.{2}' does not apply to a learned vocabulary, which maps every value it did not keep to its own out-of-vocabulary row and has a table of its own; remove {0}");

    public static readonly DiagnosticDescriptor LearnedArgumentWithoutLearned = Error(DiagnosticIds.LearnedArgumentWithoutLearned,
        "Learned-vocabulary argument without Learned",
        "{0} of [Categorical] on '{1}.{2}' applies only to a learned vocabulary; set Learned = true, or remove {0}");

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            helpLinkUri: HelpBase + id.ToLowerInvariant());

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: HelpBase + id.ToLowerInvariant());
}
