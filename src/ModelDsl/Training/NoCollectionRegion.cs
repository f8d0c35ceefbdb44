using System;
using System.Runtime;

namespace ModelDsl.Training;

/// <summary>
/// Keeps the garbage collector from running during a training step. TorchSharp passes the handles of
/// temporary <c>Scalar</c> objects (learning rates, betas, loss weights) into native calls without
/// keeping the objects alive; a collection in the middle of such a call can finalize the Scalar while
/// LibTorch still reads it ("Scalar.h toFloat: Expected false to be true" in Adam's step, seen in long
/// runs). A step allocates only small wrappers, so a region of a few megabytes holds it; if the region
/// cannot start (another thread holds one) or is overrun, the step simply runs without it.
/// </summary>
internal readonly struct NoCollectionRegion : IDisposable
{
    private const long Budget = 16L << 20;
    private readonly bool _entered;

    private NoCollectionRegion(bool entered) => _entered = entered;

    public static NoCollectionRegion Enter()
    {
        try
        {
            return new NoCollectionRegion(GCSettings.LatencyMode != GCLatencyMode.NoGCRegion && GC.TryStartNoGCRegion(Budget));
        }
        catch (InvalidOperationException)
        {
            return default;   // another thread is in a region
        }
    }

    public void Dispose()
    {
        if (!_entered || GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
            return;   // not ours, or the runtime already ended it after the budget was spent
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
