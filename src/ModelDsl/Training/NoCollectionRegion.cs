using System;
using System.Runtime;

namespace ModelDsl.Training;

/// <summary>
/// Keeps the garbage collector from running during training steps. TorchSharp passes the handles of
/// temporary <c>Scalar</c> objects (learning rates, betas, loss weights) into native calls without
/// keeping the objects alive; a collection in the middle of such a call can finalize the Scalar while
/// LibTorch still reads it ("Scalar.h toFloat: Expected false to be true" in Adam's step, seen in long
/// runs). Starting a no-GC region collects first (about 0.25 ms, a few percent of a step), so one region
/// spans many steps: <see cref="BeforeStep"/> renews it only when half its budget has been allocated
/// (by any thread), so each step still starts with at least half the budget left. If a region cannot
/// start (another thread holds one) the steps simply run without it.
/// </summary>
internal sealed class NoCollectionRegion : IDisposable
{
    private const long Budget = 16L << 20;
    private bool _entered;
    private long _allocatedAtEntry;

    /// <summary>Makes sure a region with at least half its budget left is in force for the coming step.</summary>
    public void BeforeStep()
    {
        if (_entered && InRegion && GC.GetTotalAllocatedBytes() - _allocatedAtEntry < Budget / 2)
            return;
        End();
        try
        {
            _entered = !InRegion && GC.TryStartNoGCRegion(Budget);
        }
        catch (InvalidOperationException)
        {
            _entered = false;   // another thread is in a region
        }
        _allocatedAtEntry = GC.GetTotalAllocatedBytes();
    }

    public void Dispose() => End();

    private static bool InRegion => GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    private void End()
    {
        if (!_entered || !InRegion)
        {
            _entered = false;
            return;   // not ours, or the runtime already ended it after the budget was spent
        }
        _entered = false;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // Ended by a collection the budget could not avoid; nothing to undo.
        }
    }
}
