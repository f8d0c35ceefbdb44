using System;
using System.Linq;
using ModelDsl.Onnx;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// From the network's per-task columns (logits of binary tasks, values of regression tasks) to what is
/// served and trained on: probabilities, ESMM joints along <c>Given</c> chains (p(a ∧ b) = p(a) · p(b | a)),
/// conditionals and odds. What each <see cref="OutputKind"/> means is written once, in <see cref="Outputs"/>,
/// and run on TorchSharp tensors (<see cref="Served"/>: <see cref="MultiTaskNetwork.Predict"/>) and on ONNX
/// nodes (<see cref="Export"/>: <see cref="MultiTaskNetwork.ToOnnx()"/>), so the two cannot drift apart.
/// </summary>
public static class TaskOutputs
{
    /// <summary>Served outputs [batch, outputs] from network outputs [batch, tasks], in <see cref="ModelSchema.Outputs"/> order.</summary>
    public static Tensor Served(ModelSchema schema, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(logits);
        return stack(Outputs(schema, logits, x => x.sigmoid(), (x, t) => x.select(1, t), (a, b) => a * b, x => x.exp()), 1);
    }

    /// <summary>
    /// Adds the served outputs to an ONNX graph, after the network's <paramref name="logits"/> [batch, tasks]:
    /// one named float [batch] output per <see cref="ModelSchema.Outputs"/> entry, in that order.
    /// </summary>
    public static void Export(OnnxGraphBuilder g, ModelSchema schema, string logits)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(logits);
        var values = Outputs(schema, logits, g.Sigmoid, g.Select, g.Mul, g.Exp);
        for (var o = 0; o < values.Length; o++)
            g.Output(schema.Outputs[o].Name, values[o]);
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
        var binary = Enumerable.Range(0, schema.Tasks.Count).Where(t => schema.Tasks[t].Kind == TaskKind.Binary);
        return GivenChain.Joint(schema.Tasks.Count, binary, t => schema.Tasks[t].Given, own, combine);
    }

    /// <summary>The outputs in schema order, over any backend's values: one sigmoid over all columns, selected per task as needed.</summary>
    private static T[] Outputs<T>(ModelSchema schema, T logits, Func<T, T> sigmoid, Func<T, int, T> select, Func<T, T, T> multiply, Func<T, T> exp)
        where T : class
    {
        T? probabilities = null;
        var probability = new T?[schema.Tasks.Count];
        T Probability(int t) => probability[t] ??= select(probabilities ??= sigmoid(logits), t);
        var joint = Joint(schema, Probability, multiply);
        return schema.Outputs.Select(output => output.Kind switch
        {
            OutputKind.Probability => joint[output.Task]!,
            OutputKind.Value => select(logits, output.Task),
            OutputKind.Conditional => Probability(output.Task),
            OutputKind.Odds => exp(select(logits, output.Task)),
            _ => throw new InvalidOperationException($"Unknown output kind {output.Kind}."),
        }).ToArray();
    }
}
