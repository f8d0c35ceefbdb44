using System.Linq;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>The all-columns-at-once loss equals each task's loss written out one by one.</summary>
public class TaskLossTests
{
    [Fact]
    public void ColumnsAtOnceEqualTaskByTaskFormulas()
    {
        TaskInfo[] tasks =
        [
            new("Click", TaskKind.Binary, 1),
            new("Like", TaskKind.Binary, 1, Weighting: SampleWeighting.PositivesOnly),
            new("Share", TaskKind.Binary, 1, Weighting: SampleWeighting.All),
            new("Watch", TaskKind.Regression, 1, Weighting: SampleWeighting.All),
            new("Finish", TaskKind.Regression, 1),
        ];
        var schema = ClickWatchModel.Schema with { Tasks = tasks };
        manual_seed(11);
        using var scope = NewDisposeScope();
        var outputs = randn(64, 5);
        var labels = cat([rand(64, 3).round(), rand(64, 2) * 3], 1);
        var weights = rand(64, 5) * 4;
        weights[.., 0] = 1;   // what the trainer writes for tasks without a weight
        weights[.., 4] = 1;
        using var loss = new TaskLoss(schema, CPU);

        var actual = loss.Compute(outputs, labels, weights);

        float Bce(int t, Tensor? w) => nn.functional.binary_cross_entropy_with_logits(outputs[.., t], labels[.., t], w).item<float>();
        var like = labels[.., 1];
        var expected = new[]
        {
            Bce(0, null),
            Bce(1, like * weights[.., 1] + (1 - like)),
            Bce(2, weights[.., 2]),
            (weights[.., 3] * (outputs[.., 3] - labels[.., 3]).square()).mean().item<float>(),
            nn.functional.mse_loss(outputs[.., 4], labels[.., 4]).item<float>(),
        };
        Assert.Equal(expected, actual.data<float>().ToArray(), (a, b) => System.Math.Abs(a - b) <= 1e-6f * System.Math.Max(1, System.Math.Abs(a)));
    }
}
