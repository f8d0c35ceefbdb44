using System;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// From the network's per-task columns to what is served and trained on: probabilities, ESMM joints
/// along <c>Given</c> chains (p(a ∧ b) = p(a) · p(b | a)), conditionals and odds. One place, used by
/// <see cref="MultiTaskNetwork.Predict"/>, the trainer's loss and its metrics.
/// </summary>
public static class TaskOutputs
{
    /// <summary>Served outputs [batch, outputs] from network outputs [batch, tasks], in <see cref="ModelSchema.Outputs"/> order.</summary>
    public static Tensor Served(ModelSchema schema, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(logits);
        var probabilities = logits.sigmoid();
        var joint = Joint(schema, t => probabilities.select(1, t), (a, b) => a * b);
        var columns = new Tensor[schema.Outputs.Count];
        for (var o = 0; o < columns.Length; o++)
        {
            var output = schema.Outputs[o];
            columns[o] = output.Kind switch
            {
                OutputKind.Probability => joint[output.Task]!,
                OutputKind.Value => logits.select(1, output.Task),
                OutputKind.Conditional => probabilities.select(1, output.Task),
                OutputKind.Odds => logits.select(1, output.Task).exp(),
                _ => throw new InvalidOperationException($"Unknown output kind {output.Kind}."),
            };
        }
        return stack(columns, 1);
    }

    /// <summary>
    /// Per binary task, the value of its event along its Given chain, combined with <paramref name="combine"/>
    /// (product of probabilities, sum of log-probabilities, product of labels); null for regression tasks.
    /// </summary>
    public static T?[] Joint<T>(ModelSchema schema, Func<int, T> own, Func<T, T, T> combine) where T : class
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(combine);
        var joint = new T?[schema.Tasks.Count];
        T Of(int t) => joint[t] ??= schema.Tasks[t].Given < 0 ? own(t) : combine(Of(schema.Tasks[t].Given), own(t));
        for (var t = 0; t < joint.Length; t++)
            if (schema.Tasks[t].Kind == TaskKind.Binary)
                Of(t);
        return joint;
    }
}
