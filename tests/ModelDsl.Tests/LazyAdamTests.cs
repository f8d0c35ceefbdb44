using System.Linq;
using ModelDsl.Layers;
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

    [Fact]
    public void SequencePaddingLeavesRowZeroAndItsMomentsAlone()
    {
        manual_seed(1);
        using var group = new EmbeddingGroup("e", 0, 3, 4, [10], [new EmbeddingSlot(0, 3, Pooling.Mean)]);
        using var optimizer = Optimizers.Create(new TrainingOptions { LearningRate = 0.1 }, group.parameters());
        Step(group, optimizer, [0, 5, -1]);
        var state = (Adam.State)optimizer.state_dict().State[0];
        var (weight, mean, square) = (group.Weight.detach().clone(), state.exp_avg.clone(), state.exp_avg_sq.clone());

        // Row 0 has momentum from the first step; in the second only padding could reach it.
        Step(group, optimizer, [5, -1, -1]);
        Assert.Equal([false, false, false, false, false, true, false, false, false, false], Moved(group.Weight, weight));
        Assert.True(state.exp_avg[0].allclose(mean[0], rtol: 0, atol: 0) && state.exp_avg_sq[0].allclose(square[0], rtol: 0, atol: 0));
    }

    [Fact]
    public void SparseGradientNamesOnlyRealLookups()
    {
        // A scalar feature (segment 0: rows 0-3), then a max-pooled sequence of segment 1 (rows 4-13), one of them all padding.
        using var group = new EmbeddingGroup("e", 0, 4, 2, [4, 10], [new EmbeddingSlot(0), new EmbeddingSlot(1, 3, Pooling.Max)]);
        using var categorical = tensor(new long[] { 2, 3, -1, -1, 1, -1, -1, -1 }, 2, 4);
        (group.forward(categorical).sum() + group.LookedUpSquares(categorical)).backward();
        using var indices = group.Weight.grad!.SparseIndices;
        Assert.Equal([1L, 2, 7], indices.data<long>().ToArray().Distinct().Order());
    }

    private static void Step(EmbeddingGroup group, optim.Optimizer optimizer, long[] ids)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        group.forward(tensor(ids, 1, ids.Length)).sum().backward();
        optimizer.step();
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
