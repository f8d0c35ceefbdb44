using System;
using System.Linq;
using ModelDsl.Layers;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// Each task's loss over a batch, [tasks]: binary cross-entropy on logits, squared error for regression,
/// softmax cross-entropy for multiclass, each sample's term scaled by its weight. A Given task is trained on every sample through its joint
/// probability against the joint label (ESMM). Without Given or multiclass tasks all columns are computed at once
/// (a handful of operations however many tasks: each operation costs a dispatch in forward and backward).
/// A Given task with <see cref="TaskInfo.Counterfactual"/> adds ESCM²'s regularizer to its loss (<see cref="CounterfactualRisk"/>).
/// </summary>
internal sealed class TaskLoss : IDisposable
{
    // Keeps the joint probability's log finite in the ESMM loss.
    private const double ProbabilityFloor = 1e-7;

    private readonly ModelSchema _schema;
    // Given and multiclass tasks are computed task by task.
    private readonly bool _taskByTask;
    private readonly bool _allBinary;
    private readonly bool _allRegression;
    private readonly bool _weighted;
    // [tasks] masks on the training device: binary columns (only when binary and regression tasks mix) and
    // PositivesOnly columns (null when there are none).
    private readonly Tensor? _binary;
    private readonly Tensor? _positivesOnly;
    // Per task, the forward column of its ESCM²-DR imputation head, or −1.
    private readonly int[] _imputationColumn;

    public TaskLoss(ModelSchema schema, Device device)
    {
        _schema = schema;
        var tasks = schema.Tasks;
        _taskByTask = tasks.Any(t => t.Given >= 0 || t.Kind == TaskKind.Multiclass);
        _imputationColumn = Enumerable.Repeat(-1, tasks.Count).ToArray();
        for (var i = 0; i < schema.ImputedTasks.Count; i++)
            _imputationColumn[schema.ImputedTasks[i]] = schema.LogitColumns + i;
        _allBinary = tasks.All(t => t.Kind == TaskKind.Binary);
        _allRegression = tasks.All(t => t.Kind == TaskKind.Regression);
        _weighted = tasks.Any(t => t.Weighting != SampleWeighting.None);
        _binary = _allBinary || _allRegression ? null : tensor(tasks.Select(t => t.Kind == TaskKind.Binary).ToArray(), device: device);
        _positivesOnly = tasks.Any(t => t.Weighting == SampleWeighting.PositivesOnly)
            ? tensor(tasks.Select(t => t.Weighting == SampleWeighting.PositivesOnly).ToArray(), device: device)
            : null;
    }

    /// <param name="outputs">The network's outputs, [batch, <see cref="ModelSchema.LogitColumns"/>].</param>
    /// <param name="labels">Labels, [batch, tasks]; binary ones 0 or 1, multiclass ones the class index.</param>
    /// <param name="weights">Sample weights, [batch, tasks]; 1 for tasks without <c>SampleWeight</c>.</param>
    public Tensor Compute(Tensor outputs, Tensor labels, Tensor weights)
    {
        if (_taskByTask)
            return TaskByTask(outputs, labels, weights);
        var terms = _allBinary ? BinaryTerms(outputs, labels)
            : _allRegression ? (outputs - labels).square()
            : where(_binary!, BinaryTerms(outputs, labels), (outputs - labels).square());
        if (_weighted)
        {
            // PositivesOnly weighs positives by their weight and negatives by 1; other tasks' weights stay as given.
            var effective = _positivesOnly is null ? weights : weights.masked_fill(_positivesOnly.logical_and(labels.eq(0)), 1);
            terms = terms * effective;
        }
        return terms.mean([0]);
    }

    private static Tensor BinaryTerms(Tensor logits, Tensor labels) =>
        nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction: nn.Reduction.None);

    private Tensor TaskByTask(Tensor outputs, Tensor labels, Tensor weights)
    {
        var tasks = _schema.Tasks;
        var jointLabels = TaskOutputs.Joint(_schema, t => labels.select(1, t), (a, b) => a * b);
        var columns = _schema.TaskColumns;
        var jointLogProbability = TaskOutputs.Joint(_schema, t => nn.functional.logsigmoid(outputs.select(1, columns[t])), (a, b) => a + b);
        var perTask = new Tensor[tasks.Count];
        for (var t = 0; t < perTask.Length; t++)
        {
            if (tasks[t].Kind == TaskKind.Multiclass)
            {
                var terms = nn.functional.cross_entropy(outputs.narrow(1, columns[t], tasks[t].Classes), labels.select(1, t).to(ScalarType.Int64), reduction: nn.Reduction.None);
                perTask[t] = (tasks[t].Weighting == SampleWeighting.All ? terms * weights.select(1, t) : terms).mean();
                continue;
            }
            var output = outputs.select(1, columns[t]);
            var label = jointLabels[t] ?? labels.select(1, t);
            var weight = tasks[t].Weighting switch
            {
                SampleWeighting.All => weights.select(1, t),
                SampleWeighting.PositivesOnly => label * weights.select(1, t) + (1 - label),
                _ => null,
            };
            perTask[t] = tasks[t] switch
            {
                { Kind: TaskKind.Regression } => weight is null
                    ? nn.functional.mse_loss(output, label)
                    : (weight * (output - label).square()).mean(),
                { Given: < 0 } => nn.functional.binary_cross_entropy_with_logits(output, label, weight),
                _ => nn.functional.binary_cross_entropy(jointLogProbability[t]!.exp().clamp(ProbabilityFloor, 1 - ProbabilityFloor), label, weight),
            };
            if (tasks[t].Counterfactual is { } counterfactual)
            {
                var given = tasks[t].Given;
                var imputed = _imputationColumn[t] is var column and >= 0 ? outputs.select(1, column) : null;
                perTask[t] += CounterfactualRisk.Compute(counterfactual, output, labels.select(1, t), jointLabels[given]!, jointLogProbability[given]!, imputed, weight);
            }
        }
        return stack(perTask);
    }

    public void Dispose()
    {
        _binary?.Dispose();
        _positivesOnly?.Dispose();
    }
}
