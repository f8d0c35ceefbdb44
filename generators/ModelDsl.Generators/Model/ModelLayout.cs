using System.Collections.Generic;
using System.Linq;

namespace ModelDsl.Generators.Model;

/// <summary>
/// Where each feature sits in the network input, derived from a spec: categorical features ordered by
/// embedding group (one group per embedding width, in order of first appearance, so each group is one
/// contiguous slice and one gather; a sequence takes MaxLength columns), numeric features in declaration order.
/// </summary>
internal sealed class ModelLayout
{
    public ModelLayout(ModelSpec spec)
    {
        Groups = spec.Features
            .Where(f => f.Kind == FeatureKind.Categorical)
            .GroupBy(f => f.Dim)
            .Select(g => g.ToList())
            .ToList();
        Categorical = Groups.SelectMany(g => g).ToList();
        Numeric = spec.Features.Where(f => f.Kind == FeatureKind.Numeric).ToList();
        NumericWidth = Numeric.Sum(f => f.Width);
        CategoricalWidth = Categorical.Sum(f => f.Width);
        InputWidth = Groups.Sum(g => g.Count * g[0].Dim) + NumericWidth;
        Outputs = spec.Tasks.SelectMany(t => OutputsOf(spec, t)).ToList();
    }

    /// <summary>
    /// What the model serves, in Prediction and ONNX output order: per task its main output, then its conditional (Given) and odds
    /// (positives-weighted) outputs. A multiclass task's one output is its class probabilities, <c>{Task}Probabilities</c>, which
    /// <c>Prediction</c> follows with its most likely class, <c>{Task}</c>.
    /// </summary>
    public IReadOnlyList<OutputSpec> Outputs { get; }

    /// <summary>Categorical features grouped by embedding width.</summary>
    public IReadOnlyList<IReadOnlyList<FeatureSpec>> Groups { get; }

    /// <summary>Categorical features in input column order.</summary>
    public IReadOnlyList<FeatureSpec> Categorical { get; }

    /// <summary>Numeric features in input column order.</summary>
    public IReadOnlyList<FeatureSpec> Numeric { get; }

    /// <summary>Columns of the categorical input: one per id, MaxLength per sequence.</summary>
    public int CategoricalWidth { get; }

    /// <summary>Width of the concatenated embeddings and numeric columns.</summary>
    public int InputWidth { get; }

    /// <summary>Columns of the numeric input: one per scalar, Size per array.</summary>
    public int NumericWidth { get; }

    /// <summary>First input column of a feature within its kind.</summary>
    public int ColumnOf(FeatureSpec feature) =>
        (feature.Kind == FeatureKind.Categorical ? Categorical : Numeric).TakeWhile(f => f.Name != feature.Name).Sum(f => f.Width);

    /// <summary>
    /// The table segments of a group, in order of first use: one per feature, or one per shared <c>Group</c>, each
    /// represented by the feature with the most rows (a member whose missing values take the extra row needs it).
    /// </summary>
    public static IReadOnlyList<FeatureSpec> Segments(IReadOnlyList<FeatureSpec> group) =>
        group.GroupBy(f => f.SegmentKey).Select(s => s.OrderByDescending(f => f.Rows).First()).ToList();

    /// <summary>Whether a group is plain: single ids, each with a segment of its own.</summary>
    public static bool IsPlain(IReadOnlyList<FeatureSpec> group) =>
        group.All(f => !f.IsSequence && f.Group.Length == 0);

    /// <summary>The class probabilities' output of a multiclass task.</summary>
    public static string ProbabilitiesName(TaskSpec task) => task.Name + "Probabilities";

    /// <summary>Field name of a group's embedding module.</summary>
    public static string GroupField(IReadOnlyList<FeatureSpec> group) => $"embeddings_{group[0].Dim}";

    private static IEnumerable<OutputSpec> OutputsOf(ModelSpec spec, TaskSpec task)
    {
        if (task.Kind == TaskKind.Multiclass)
        {
            yield return new OutputSpec(ProbabilitiesName(task), task, OutputKind.ClassProbabilities);
            yield break;
        }
        yield return new OutputSpec(task.Name, task, task.Kind == TaskKind.Binary ? OutputKind.Probability : OutputKind.Value);
        if (task.Given.Length > 0)
            yield return new OutputSpec($"{task.Name}Given{task.Given}", task, OutputKind.Conditional);
        if (spec.WeightOf(task) is { PositivesOnly: true } && task.Kind == TaskKind.Binary)
            yield return new OutputSpec($"{task.Name}Odds", task, OutputKind.Odds);
    }
}

/// <summary>One served output: a <c>Prediction</c> member and an ONNX output.</summary>
internal sealed record OutputSpec(string Name, TaskSpec Task, OutputKind Kind)
{
    /// <summary>Values per candidate: a multiclass task's classes, else 1.</summary>
    public int Width => Kind == OutputKind.ClassProbabilities ? Task.Width : 1;
}
