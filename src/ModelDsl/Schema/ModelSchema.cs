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
/// <param name="Tasks">Tasks in output order.</param>
/// <param name="Regularization">Regularization and activation.</param>
public sealed record ModelSchema(
    string Name,
    string Fingerprint,
    IReadOnlyList<FeatureInfo> Features,
    IReadOnlyList<TaskInfo> Tasks,
    RegularizationSettings Regularization)
{
    /// <summary>Number of columns of the int64 <c>categorical</c> input.</summary>
    public int CategoricalCount { get; } = Features.Count(f => f.Kind == FeatureKind.Categorical);

    /// <summary>Number of columns of the float <c>numeric</c> input.</summary>
    public int NumericCount { get; } = Features.Count(f => f.Kind == FeatureKind.Numeric);

    /// <summary>The version of ModelDsl that exported or serves a model.</summary>
    public static string LibraryVersion { get; } =
        typeof(ModelSchema).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}

/// <summary>Kinds of features.</summary>
public enum FeatureKind
{
    /// <summary>An integer id looked up in an embedding table.</summary>
    Categorical,

    /// <summary>A float fed to the network as it is.</summary>
    Numeric,
}

/// <summary>One feature of a model.</summary>
/// <param name="Name">Member name.</param>
/// <param name="Kind">Feature kind.</param>
/// <param name="Column">Column in the input of its kind (categorical or numeric).</param>
/// <param name="Vocabulary">Number of ids (categorical only).</param>
/// <param name="Dim">Embedding width (categorical only).</param>
public sealed record FeatureInfo(string Name, FeatureKind Kind, int Column, int Vocabulary = 0, int Dim = 0);

/// <summary>Kinds of tasks.</summary>
public enum TaskKind
{
    /// <summary>Binary classification: sigmoid output, binary cross-entropy.</summary>
    Binary,

    /// <summary>Regression: linear output, mean squared error.</summary>
    Regression,
}

/// <summary>One task of a model.</summary>
/// <param name="Name">Member name of the label; also the name of the ONNX output.</param>
/// <param name="Kind">Task kind.</param>
/// <param name="LossWeight">Static weight of the task's loss.</param>
public sealed record TaskInfo(string Name, TaskKind Kind, double LossWeight);

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
