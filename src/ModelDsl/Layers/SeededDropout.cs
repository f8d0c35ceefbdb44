using System;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// Dropout for every layer, drawn from the generator of the trainer running on this thread. LibTorch's own
/// dropout draws from the process-wide generator, so trainers running in parallel would take each other's
/// draws and none would replay. The mask is drawn exactly as LibTorch's CPU dropout draws it
/// (<c>bernoulli_(1 − p)</c>, divided by 1 − p), so a generator seeded like the global one gives the same values.
/// Outside a trainer (a network's forward called directly in training mode) it is LibTorch's dropout.
/// </summary>
internal static class SeededDropout
{
    [ThreadStatic]
    private static Generator? t_generator;

    public static Tensor Apply(Tensor x, double p, bool training)
    {
        if (p == 0 || !training)
            return x;
        if (t_generator is not { } generator)
            return nn.functional.dropout(x, p, training);
        using var noise = empty_like(x).bernoulli_(1 - p, generator).div_(1 - p);
        return x * noise;
    }

    /// <summary>Draws this thread's dropout from <paramref name="generator"/> until the returned scope ends.</summary>
    public static Scope Use(Generator generator)
    {
        var previous = t_generator;
        t_generator = generator;
        return new Scope(previous);
    }

    public readonly struct Scope(Generator? previous) : IDisposable
    {
        public void Dispose() => t_generator = previous;
    }
}
