using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelDsl;

/// <summary>
/// The runtime description of a model spec, generated as <c>Model.Schema</c>: what the trainer, the
/// ONNX exporter and the predictor need to know about features and tasks without reflection.
/// </summary>
/// <param name="Name">Full name of the annotated class.</param>
/// <param name="Fingerprint">Hash of everything that shapes the network and its inputs and outputs; a model file is served only by the spec with the same fingerprint.</param>
/// <param name="Features">Features in input column order.</param>
/// <param name="Tasks">Tasks in network output order.</param>
/// <param name="Outputs">What the model serves, in <c>Prediction</c> and ONNX output order.</param>
/// <param name="Regularization">Regularization and activation.</param>
public sealed record ModelSchema(
    string Name,
    string Fingerprint,
    IReadOnlyList<FeatureInfo> Features,
    IReadOnlyList<TaskInfo> Tasks,
    IReadOnlyList<OutputInfo> Outputs,
    RegularizationSettings Regularization)
{
    /// <summary>Number of columns of the int64 <c>categorical</c> input.</summary>
    public int CategoricalCount { get; } = Features.Where(f => f.Kind == FeatureKind.Categorical).Sum(f => f.Size);

    /// <summary>Number of columns of the float <c>numeric</c> input.</summary>
    public int NumericCount { get; } = Features.Where(f => f.Kind == FeatureKind.Numeric).Sum(f => f.Size);

    /// <summary>Columns of the exported model's <c>strings</c> input: one per learned string feature, in column order.</summary>
    public int StringInputCount { get; } = Features.Count(f => f.Learned is { Strings: true });

    /// <summary>Columns of the exported model's int64 <c>categorical</c> input: every categorical column but the learned strings'.</summary>
    public int CategoricalInputCount => CategoricalCount - StringInputCount;

    /// <summary>First column of each task in the network's output, [batch, <see cref="LogitColumns"/>]: one per binary or regression task, <see cref="TaskInfo.Classes"/> per multiclass task.</summary>
    public IReadOnlyList<int> TaskColumns { get; } = Starts(Tasks.Select(t => t.Width));

    /// <summary>Columns of the network's output: the tasks' widths added up.</summary>
    public int LogitColumns { get; } = Tasks.Sum(t => t.Width);

    /// <summary>First column of each output in the served values, [batch, <see cref="ServedColumns"/>], as <see cref="Layers.TaskOutputs.Served"/> returns them.</summary>
    public IReadOnlyList<int> OutputColumns { get; } = Starts(Outputs.Select(o => o.Width));

    /// <summary>Columns of the served values: the outputs' widths added up.</summary>
    public int ServedColumns { get; } = Outputs.Sum(o => o.Width);

    /// <summary>The loss weighting of <see cref="LossWeightingAttribute"/>; static weights when absent.</summary>
    public Training.LossWeightingSettings LossWeighting { get; init; } = Training.LossWeightingSettings.Static;

    /// <summary>
    /// The tasks with an ESCM²-DR imputation tower, in task order: the network's <c>forward</c> returns their
    /// imputed errors (before softplus) as columns <see cref="LogitColumns"/> + i, after the tasks' own. Training only: never served or exported.
    /// </summary>
    public IReadOnlyList<int> ImputedTasks { get; } = Enumerable.Range(0, Tasks.Count)
        .Where(t => Tasks[t].Counterfactual?.Regularizer == CounterfactualRegularizer.DoublyRobust).ToArray();

    /// <summary>The version of ModelDsl that exported or serves a model.</summary>
    public static string LibraryVersion { get; } =
        typeof(ModelSchema).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static int[] Starts(IEnumerable<int> widths)
    {
        var start = 0;
        return widths.Select(w => (start += w) - w).ToArray();
    }
}

/// <summary>One feature of a model.</summary>
/// <param name="Name">Member name.</param>
/// <param name="Kind">Feature kind.</param>
/// <param name="Column">First column in the input of its kind (categorical or numeric).</param>
/// <param name="Vocabulary">Number of ids (categorical only).</param>
/// <param name="Dim">Embedding width (categorical only).</param>
/// <param name="Size">Columns the feature takes: 1, the length of a numeric array, or a sequence's MaxLength.</param>
/// <param name="IsHashed">Whether its values are strings hashed into the vocabulary (categorical only).</param>
/// <param name="Learned">How its vocabulary is learned from the training data, or null (categorical only); <paramref name="Vocabulary"/> is then its MaxSize.</param>
public sealed record FeatureInfo(string Name, FeatureKind Kind, int Column, int Vocabulary = 0, int Dim = 0, int Size = 1, bool IsHashed = false,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] LearnedVocabularySettings? Learned = null);

/// <summary>How a feature's vocabulary is learned (<c>[Categorical(Learned = true)]</c>).</summary>
/// <param name="MinCount">How often a value must occur in the training data to be kept.</param>
/// <param name="Strings">Whether the values are strings (fed to the ONNX model's <c>strings</c> input), else integer ids.</param>
public sealed record LearnedVocabularySettings(int MinCount, bool Strings);

/// <summary>One task of a model.</summary>
/// <param name="Name">Member name of the label; also the name of its main ONNX output, except a multiclass task's (<c>{Name}Probabilities</c>).</param>
/// <param name="Kind">Task kind.</param>
/// <param name="LossWeight">Static weight of the task's loss.</param>
/// <param name="Given">Index of the binary task this one is conditioned on (ESMM), or −1.</param>
/// <param name="Weighting">How the task's <see cref="SampleWeightAttribute"/>, if any, applies.</param>
/// <param name="Classes">Number of classes of a multiclass task; 0 for other tasks.</param>
public sealed record TaskInfo(string Name, TaskKind Kind, double LossWeight, int Given = -1, SampleWeighting Weighting = SampleWeighting.None, int Classes = 0)
{
    /// <summary>Columns the task takes in the network's output: its classes' logits, or one logit or value.</summary>
    public int Width => Kind == TaskKind.Multiclass ? Classes : 1;

    /// <summary>ESCM²'s regularizer of this Given task's conditional estimate, or null (training only).</summary>
    public CounterfactualSettings? Counterfactual { get; init; }
}

/// <summary>ESCM²'s counterfactual regularizer of a Given task, from <see cref="BinaryTaskAttribute.Counterfactual"/>.</summary>
/// <param name="Regularizer">Inverse propensity or doubly robust.</param>
/// <param name="Weight">λ_c, its weight within the task's loss.</param>
/// <param name="PropensityFloor">The least propensity it divides by.</param>
public sealed record CounterfactualSettings(CounterfactualRegularizer Regularizer, double Weight, double PropensityFloor);

/// <summary>One served output: a member of <c>Prediction</c> and a named ONNX output of shape [batch], or [batch, width] when wider than 1.</summary>
/// <param name="Name">Member and ONNX output name.</param>
/// <param name="Task">Index of the task it comes from.</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Width">Values per candidate: a multiclass task's classes for <see cref="OutputKind.ClassProbabilities"/>, else 1.</param>
public sealed record OutputInfo(string Name, int Task, OutputKind Kind, int Width = 1);

/// <summary>Regularization of a model, from <see cref="RegularizationAttribute"/>.</summary>
/// <param name="EmbeddingL2">L2 penalty on embedding tables.</param>
/// <param name="DenseL2">L2 penalty on dense weights.</param>
/// <param name="Dropout">Dropout probability after hidden layers.</param>
/// <param name="Activation">Hidden-layer activation.</param>
public sealed record RegularizationSettings(double EmbeddingL2, double DenseL2, double Dropout, Activation Activation)
{
    /// <summary>No penalties, no dropout, ReLU.</summary>
    public static RegularizationSettings None { get; } = new(0, 0, 0, Activation.Relu);
}
