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
/// (by any thread), so each step starts with about half the budget left (less under Server GC, which
/// splits the budget across heaps). The region is process-wide: of several trainers in one process, the
/// one that started the current region owns it, and only the owner ends it. If a region cannot start
/// (another trainer's or the application's is in force) the steps run under that one or without one.
/// </summary>
internal sealed class NoCollectionRegion : IDisposable
{
    private const long Budget = 16L << 20;
    private static readonly object s_lock = new();
    private static NoCollectionRegion? s_owner;
    private long _allocatedAtEntry;

    /// <summary>Makes sure a region with at least half its budget left is in force for the coming step.</summary>
    public void BeforeStep()
    {
        lock (s_lock)
        {
            if (s_owner == this && InRegion && GC.GetTotalAllocatedBytes() - _allocatedAtEntry < Budget / 2)
                return;
            EndOwned();
            if (InRegion)
                return;   // someone else's region
            try
            {
                if (GC.TryStartNoGCRegion(Budget))
                {
                    s_owner = this;
                    _allocatedAtEntry = GC.GetTotalAllocatedBytes();
                }
            }
            catch (InvalidOperationException)
            {
                // Another thread started a region between the check and the call.
            }
        }
    }

    public void Dispose()
    {
        lock (s_lock)
            EndOwned();
    }

    private static bool InRegion => GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    /// <summary>Ends the region if this object started the one in force; the runtime may have ended it already (budget spent).</summary>
    private void EndOwned()
    {
        if (s_owner != this)
            return;
        s_owner = null;
        if (!InRegion)
            return;
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
