using System;
using System.ComponentModel;
using System.Linq;
using ModelDsl.Onnx;
using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// Base of every generated <c>Network</c>: <c>forward(categorical, numeric)</c> returns one logit (binary
/// task) or value (regression task) column per task, and one logit per class of a multiclass task, in task
/// order, [batch, <see cref="ModelSchema.LogitColumns"/>], then the training-only imputation
/// heads of ESCM²-DR tasks (<see cref="ModelSchema.ImputedTasks"/>), which neither <see cref="Predict"/> nor the
/// ONNX graph serves. The generated subclass builds the layers and writes both the TorchSharp forward and its ONNX graph.
/// </summary>
public abstract class MultiTaskNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the network for a schema.</summary>
    protected MultiTaskNetwork(string name, ModelSchema schema) : base(name)
    {
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        Vocabularies = new LearnedVocabularies(schema);
    }

    /// <summary>The spec this network implements.</summary>
    public ModelSchema Schema { get; }

    /// <summary>The learned vocabularies (<c>[Categorical(Learned = true)]</c>): what maps the learned features' values to rows of their tables.</summary>
    public LearnedVocabularies Vocabularies { get; }

    /// <summary>
    /// Outputs as served, [batch, <see cref="ModelSchema.ServedColumns"/>] in <see cref="ModelSchema.Outputs"/> order: probabilities
    /// (joint for Given tasks), values, conditionals, odds, and class probabilities (one column per class). Runs in evaluation mode without gradients.
    /// </summary>
    public Tensor Predict(Tensor categorical, Tensor numeric)
    {
        var wasTraining = training;
        eval();
        try
        {
            using var _ = no_grad();
            return TaskOutputs.Served(Schema, forward(categorical, numeric));
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>The weight of the last layer all tasks share: where GradNorm measures gradient norms.</summary>
    public abstract Tensor SharedWeight { get; }

    /// <summary>The network's fused training forward, which the trainer may run whole steps with; null where the network has none.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)] // overridden by generated code; see docs/architecture.md
    public virtual FusedMixture? Fused => null;

    /// <summary>
    /// The L2 penalty of <see cref="RegularizationAttribute"/> for one batch: on embeddings, over the rows
    /// the batch looks up (once per lookup), so the tables' gradients stay row-sparse; on dense layers, over
    /// their weights.
    /// </summary>
    /// <param name="categorical">The batch's categorical input, as passed to <c>forward</c>.</param>
    public Tensor Penalty(Tensor categorical)
    {
        var settings = Schema.Regularization;
        var penalty = zeros(1);
        if (settings.EmbeddingL2 > 0)
            foreach (var group in modules().OfType<EmbeddingGroup>())
                penalty += settings.EmbeddingL2 * group.LookedUpSquares(categorical);
        if (settings.DenseL2 > 0)
            foreach (var linear in modules().OfType<Linear>())
                penalty += settings.DenseL2 * linear.weight!.square().sum();
        return penalty;
    }

    /// <summary>
    /// The ONNX model of this network: inputs, one named output per task, and the spec's metadata; every weight inline and
    /// no integrity digest, which <see cref="ExportOnnx(string)"/> adds and the generated <c>Predictor</c> requires.
    /// </summary>
    public ModelProto ToOnnx() => ToOnnx(new OnnxGraphBuilder());

    /// <summary>Writes the ONNX model to a file atomically, weights of 1 GiB or more in an external data file beside it.</summary>
    public void ExportOnnx(string path) => ExportOnnx(path, OnnxModelFile.ExternalDataThreshold);

    /// <summary>Writes the ONNX model, weights of at least <paramref name="externalDataThreshold"/> bytes in an external data file.</summary>
    internal void ExportOnnx(string path, long externalDataThreshold)
    {
        var g = new OnnxGraphBuilder(externalDataThreshold);
        OnnxModelFile.Write(path, ToOnnx(g), g.External);
    }

    private ModelProto ToOnnx(OnnxGraphBuilder g)
    {
        var categorical = Vocabularies.Any
            ? VocabularyExport.Rows(g, Schema, Vocabularies)
            : Schema.CategoricalCount > 0 ? g.Input(OnnxMetadata.CategoricalInput, TensorProto.Types.DataType.Int64, Schema.CategoricalCount) : null;
        var numeric = Schema.NumericCount > 0
            ? g.Input(OnnxMetadata.NumericInput, TensorProto.Types.DataType.Float, Schema.NumericCount)
            : null;
        TaskOutputs.Export(g, Schema, BuildOnnx(g, categorical, numeric));
        return g.Build(OnnxMetadata.For(Schema, Vocabularies));
    }

    /// <summary>
    /// Adds this network's nodes to the graph, up to what <c>forward</c> returns: the logits (binary tasks)
    /// and values (regression tasks), [batch, <see cref="ModelSchema.LogitColumns"/>]. The served outputs after them are <see cref="TaskOutputs.Export"/>'s.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="categorical">The categorical input, or null when the spec has no categorical feature.</param>
    /// <param name="numeric">The numeric input, or null when the spec has no numeric feature.</param>
    /// <returns>The name of the [batch, <see cref="ModelSchema.LogitColumns"/>] value.</returns>
    protected abstract string BuildOnnx(OnnxGraphBuilder g, string? categorical, string? numeric);
}
