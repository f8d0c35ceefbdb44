using System;
using System.Linq;
using ModelDsl.Onnx;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// From the network's per-task columns (logits of binary tasks, values of regression tasks, a multiclass task's
/// logits per class) to what is served and trained on: probabilities, class probabilities, ESMM joints along <c>Given</c> chains (p(a ∧ b) = p(a) · p(b | a)),
/// conditionals and odds. What each <see cref="OutputKind"/> means is written once, in <see cref="Outputs"/>,
/// and run on TorchSharp tensors (<see cref="Served"/>: <see cref="MultiTaskNetwork.Predict"/>) and on ONNX
/// nodes (<see cref="Export"/>: <see cref="MultiTaskNetwork.ToOnnx()"/>), so the two cannot drift apart.
/// </summary>
public static class TaskOutputs
{
    /// <summary>
    /// Served outputs [batch, <see cref="ModelSchema.ServedColumns"/>] from network outputs [batch, <see cref="ModelSchema.LogitColumns"/>],
    /// in <see cref="ModelSchema.Outputs"/> order: one column per output, <see cref="OutputInfo.Width"/> for class probabilities.
    /// </summary>
    public static Tensor Served(ModelSchema schema, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(logits);
        var values = Outputs(schema, logits, new Operations<Tensor>(x => x.sigmoid(), (x, c) => x.select(1, c), (a, b) => a * b, x => x.exp(),
            (x, c, n) => x.narrow(1, c, n).softmax(1)));
        return schema.ServedColumns == values.Length ? stack(values, 1) : cat(values.Select(v => v.dim() == 1 ? v.unsqueeze(1) : v).ToArray(), 1);
    }

    /// <summary>
    /// Adds the served outputs to an ONNX graph, after the network's <paramref name="logits"/> [batch, columns]:
    /// one named float output per <see cref="ModelSchema.Outputs"/> entry, in that order, [batch] or [batch, width].
    /// </summary>
    public static void Export(OnnxGraphBuilder g, ModelSchema schema, string logits)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(logits);
        var values = Outputs(schema, logits, new Operations<string>(g.Sigmoid, g.Select, g.Mul, g.Exp, (x, c, n) => g.Softmax(g.Columns(x, c, n))));
        for (var o = 0; o < values.Length; o++)
            g.Output(schema.Outputs[o].Name, values[o], schema.Outputs[o].Width > 1 ? schema.Outputs[o].Width : null);
    }

    /// <summary>
    /// Per binary task, the value of its event along its Given chain, combined with <paramref name="combine"/>
    /// (product of probabilities, sum of log-probabilities, product of labels); null for regression and multiclass tasks.
    /// </summary>
    public static T?[] Joint<T>(ModelSchema schema, Func<int, T> own, Func<T, T, T> combine) where T : class
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(combine);
        var binary = Enumerable.Range(0, schema.Tasks.Count).Where(t => schema.Tasks[t].Kind == TaskKind.Binary);
        return GivenChain.Joint(schema.Tasks.Count, binary, t => schema.Tasks[t].Given, own, combine);
    }

    /// <summary>What a backend computes with: sigmoid, a column, product, exp, and the softmax of a run of columns (start, count).</summary>
    private sealed record Operations<T>(Func<T, T> Sigmoid, Func<T, int, T> Select, Func<T, T, T> Multiply, Func<T, T> Exp, Func<T, int, int, T> Softmax);

    /// <summary>The outputs in schema order, over any backend's values: one sigmoid over all columns, selected per task as needed.</summary>
    private static T[] Outputs<T>(ModelSchema schema, T logits, Operations<T> ops)
        where T : class
    {
        T? probabilities = null;
        var probability = new T?[schema.Tasks.Count];
        T Column(int t) => ops.Select(logits, schema.TaskColumns[t]);
        T Probability(int t) => probability[t] ??= ops.Select(probabilities ??= ops.Sigmoid(logits), schema.TaskColumns[t]);
        var joint = Joint(schema, Probability, ops.Multiply);
        return schema.Outputs.Select(output => output.Kind switch
        {
            OutputKind.Probability => joint[output.Task]!,
            OutputKind.Value => Column(output.Task),
            OutputKind.Conditional => Probability(output.Task),
            OutputKind.Odds => ops.Exp(Column(output.Task)),
            OutputKind.ClassProbabilities => ops.Softmax(logits, schema.TaskColumns[output.Task], schema.Tasks[output.Task].Classes),
            _ => throw new InvalidOperationException($"Unknown output kind {output.Kind}."),
        }).ToArray();
    }
}
