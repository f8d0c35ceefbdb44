using System.Collections.Generic;
using System.Text.Json.Serialization;
using ModelDsl.Training;

namespace ModelDsl.Distributed;

/// <summary>
/// The <c>spec.json</c> of a training bundle: everything the Python runtime (python/modeldsl) needs to
/// build the same network and train it as <see cref="ModelTrainer{TSample}"/> does. Serialized with
/// snake_case names and enums; python/modeldsl/spec.py checks it field by field.
/// </summary>
/// <param name="Format">Always <see cref="FormatName"/>.</param>
/// <param name="Version">The spec's format version, <see cref="CurrentVersion"/>.</param>
/// <param name="Model">Full name of the model class.</param>
/// <param name="Fingerprint">The spec fingerprint, as weights files and ONNX models carry it.</param>
/// <param name="LibraryVersion">The ModelDsl that wrote the bundle.</param>
/// <param name="CategoricalColumns">Columns of the int64 categorical input.</param>
/// <param name="NumericColumns">Columns of the float numeric input.</param>
/// <param name="Features">The features, in input column order.</param>
/// <param name="Embeddings">The embedding groups, in forward order.</param>
/// <param name="NumericTransforms">The numeric transforms, or null when no column has one.</param>
/// <param name="Architecture">The layers between the input and the towers.</param>
/// <param name="Tasks">The tasks, in output column order.</param>
/// <param name="Outputs">The served outputs.</param>
/// <param name="Regularization">L2, dropout and activation.</param>
/// <param name="LossWeighting">How task losses are weighted.</param>
/// <param name="Training">The trainer's options.</param>
/// <param name="State">Every state-dict entry (parameters and persistent buffers), in TorchSharp's order.</param>
public sealed record BundleSpec(
    string Format,
    int Version,
    string Model,
    string Fingerprint,
    string LibraryVersion,
    int CategoricalColumns,
    int NumericColumns,
    IReadOnlyList<FeatureInfo> Features,
    IReadOnlyList<BundleEmbeddings> Embeddings,
    BundleNumericTransforms? NumericTransforms,
    BundleArchitecture Architecture,
    IReadOnlyList<BundleTask> Tasks,
    IReadOnlyList<OutputInfo> Outputs,
    RegularizationSettings Regularization,
    LossWeightingSettings LossWeighting,
    TrainingOptions Training,
    IReadOnlyList<BundleStateEntry> State)
{
    /// <summary>The <see cref="Format"/> of every bundle spec.</summary>
    public const string FormatName = "modeldsl-training-bundle";

    /// <summary>The format version written; python/modeldsl/spec.py reads this version only.</summary>
    public const int CurrentVersion = 1;

    /// <summary>PEPNet's EPNet gate (<see cref="Layers.PriorGate"/>), or null; left out of the JSON when null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BundleGate? EmbeddingGate { get; init; }

    /// <summary>
    /// The learned vocabularies (base64 of the block that weights files of format 3 hold after the fingerprint, preceded by
    /// its length), or null when the spec has none; left out of the JSON when null. The shards hold rows already; weights
    /// files the Python trainer writes carry the block so that <c>Load</c> restores it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Vocabularies { get; init; }

    /// <summary>PEPNet's PPNet gates (<see cref="Layers.TowerGates"/>), one per tower layer depth, or null; left out of the JSON when null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BundleGate? TowerGates { get; init; }
}

/// <summary>PEPNet's gates: one <see cref="Layers.PriorGate"/> (EPNet), or one per tower layer depth (PPNet).</summary>
/// <param name="Module">Module name.</param>
/// <param name="PriorColumns">Columns of the embedded input the gates read with their gradient.</param>
/// <param name="Units">Hidden units of each gate.</param>
public sealed record BundleGate(string Module, IReadOnlyList<long> PriorColumns, IReadOnlyList<int> Units);

/// <summary>An <see cref="Layers.EmbeddingGroup"/>: one table for the categorical features of one width.</summary>
/// <param name="Name">Module name.</param>
/// <param name="FirstColumn">First categorical column it reads.</param>
/// <param name="Dim">Embedding width.</param>
/// <param name="Segments">Rows of each segment of the table.</param>
/// <param name="Slots">Its features in column order.</param>
public sealed record BundleEmbeddings(string Name, int FirstColumn, int Dim, IReadOnlyList<int> Segments, IReadOnlyList<BundleSlot> Slots);

/// <summary>One feature of an embedding group.</summary>
/// <param name="Segment">The segment it looks up.</param>
/// <param name="Length">Columns it takes: 1, or a sequence's MaxLength.</param>
/// <param name="Pooling">How a sequence pools; null for a single id.</param>
public sealed record BundleSlot(int Segment, int Length, Pooling? Pooling);

/// <summary>The <see cref="Layers.NumericTransforms"/> module, one flag per numeric column.</summary>
/// <param name="Name">Module name.</param>
/// <param name="Log1p">Columns that take log(1 + x).</param>
/// <param name="Standardize">Columns that are standardized (statistics travel in the weights file).</param>
public sealed record BundleNumericTransforms(string Name, IReadOnlyList<bool> Log1p, IReadOnlyList<bool> Standardize);

/// <summary>
/// The architecture: a shared bottom (<see cref="Units"/>), a mixture of experts (<see cref="Experts"/>,
/// <see cref="Gates"/>: one for OMoE, one per task for MMoE), progressive layered extraction or AdaTT
/// (<see cref="Levels"/>, <see cref="SharedExperts"/>, <see cref="TaskExperts"/>). Fields of other kinds are null, and left out of the JSON.
/// </summary>
/// <param name="Kind">The kind.</param>
/// <param name="Units">Shared-bottom layer units.</param>
/// <param name="Experts">Number of experts (mixture of experts).</param>
/// <param name="Gates">Number of gates (mixture of experts).</param>
/// <param name="Levels">Extraction levels (PLE).</param>
/// <param name="SharedExperts">Shared experts per level (PLE).</param>
/// <param name="TaskExperts">Experts per task and level (PLE).</param>
/// <param name="ExpertUnits">Each expert's layer units.</param>
/// <param name="GateUnits">Each gate's hidden layer units.</param>
/// <param name="ExpertNormalization">True with HoME's expert normalization; null (left out) without.</param>
public sealed record BundleArchitecture(
    BundleArchitectureKind Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? Units = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Experts = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Gates = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Levels = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? SharedExperts = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TaskExperts = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? ExpertUnits = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? GateUnits = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? ExpertNormalization = null);

/// <summary>Architectures of a bundle spec.</summary>
public enum BundleArchitectureKind
{
    /// <summary>A shared bottom MLP.</summary>
    SharedBottom,

    /// <summary>MMoE or OMoE.</summary>
    MixtureOfExperts,

    /// <summary>PLE.</summary>
    ProgressiveLayeredExtraction,

    /// <summary>AdaTT.</summary>
    AdaptiveTaskToTaskFusion,
}

/// <summary>A task with its tower.</summary>
/// <param name="Name">Label member name.</param>
/// <param name="Kind">Binary, regression or multiclass.</param>
/// <param name="LossWeight">Static loss weight.</param>
/// <param name="Given">Index of the binary task it is conditioned on, or −1.</param>
/// <param name="SampleWeighting">How its sample weight applies.</param>
/// <param name="Tower">Its tower.</param>
/// <param name="Classes">Classes of a multiclass task (its tower's output units); 0 for other tasks.</param>
public sealed record BundleTask(string Name, TaskKind Kind, double LossWeight, int Given, SampleWeighting SampleWeighting, BundleTower Tower, int Classes = 0)
{
    /// <summary>ESCM²'s regularizer of this Given task (<see cref="TaskInfo.Counterfactual"/>), or null; left out of the JSON when null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CounterfactualSettings? Counterfactual { get; init; }

    /// <summary>
    /// The ESCM²-DR imputation tower (training only; its column follows the tasks' in <c>forward</c>, in task order:
    /// <see cref="ModelSchema.ImputedTasks"/>), or null; left out of the JSON when null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public BundleTower? Imputation { get; init; }
}

/// <summary>A task's tower.</summary>
/// <param name="Module">Module name.</param>
/// <param name="Units">Hidden layer units (the output unit not included).</param>
public sealed record BundleTower(string Module, IReadOnlyList<int> Units);

/// <summary>One state-dict entry.</summary>
/// <param name="Name">Its TorchSharp name.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="Dtype">float32, float64, int64 or bool.</param>
/// <param name="Parameter">A trained parameter (else a buffer).</param>
public sealed record BundleStateEntry(string Name, IReadOnlyList<long> Shape, string Dtype, bool Parameter);
