using System.Linq;
using ModelDsl.Training;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>Adam over a row-sparse embedding gradient updates exactly the rows a batch looks up, as dense Adam would on its first step.</summary>
public class LazyAdamTests
{
    [Fact]
    public void OnlyLookedUpRowsMoveAndRepeatedIdsAddUp()
    {
        manual_seed(1);
        using var sparse = nn.Embedding(6, 3, sparse: true);
        using var dense = nn.Embedding(6, 3);
        using (no_grad())
            dense.weight!.copy_(sparse.weight!);
        using var lazy = Optimizers.Create(new TrainingOptions { LearningRate = 0.1 }, sparse.parameters());
        using var reference = optim.Adam(dense.parameters(), 0.1);
        var start = sparse.weight!.detach().clone();
        using var scale = tensor(new float[] { 1, -2, 3 });

        Step(sparse, lazy, [1, 4, 1], scale);
        Step(dense, reference, [1, 4, 1], scale);
        // First step: both Adams move the looked-up rows alike (row 1's gradient is the sum of its two lookups).
        Assert.True(sparse.weight!.allclose(dense.weight!, rtol: 1e-5, atol: 1e-6));
        Assert.Equal([false, true, false, false, true, false], Moved(sparse.weight!, start));

        var afterFirst = sparse.weight!.detach().clone();
        Step(sparse, lazy, [4], scale);
        Step(dense, reference, [4], scale);
        // Lazily, row 1 stays where it is when a batch does not look it up; dense Adam keeps moving it on momentum.
        Assert.Equal([false, false, false, false, true, false], Moved(sparse.weight!, afterFirst));
        Assert.Equal([false, true, false, false, true, false], Moved(dense.weight!, afterFirst));
    }

    private static void Step(Embedding embedding, optim.Optimizer optimizer, long[] ids, Tensor scale)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        (embedding.forward(tensor(ids)) * scale).sum().backward();
        optimizer.step();
    }

    private static bool[] Moved(Tensor weight, Tensor before) =>
        Enumerable.Range(0, (int)weight.shape[0]).Select(r => !weight[r].allclose(before[r], rtol: 0, atol: 0)).ToArray();
}
