using System;
using System.Linq;
using ModelDsl.Layers;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// Loads a network's state all or nothing. TorchSharp's <c>load</c> writes each tensor as it reads it, and what
/// follows it (a checkpoint's optimizer state, the check that the file ends there) can still fail, so every
/// parameter and buffer is copied first and put back if loading throws.
/// </summary>
internal static class AllOrNothing
{
    public static T Load<T>(MultiTaskNetwork network, Func<T> load)
    {
        var before = network.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.detach().clone());
        try
        {
            return load();
        }
        catch
        {
            using (no_grad())
            {
                foreach (var (name, tensor) in network.state_dict())
                    tensor.copy_(before[name]);
            }
            throw;
        }
        finally
        {
            foreach (var copy in before.Values)
                copy.Dispose();
        }
    }
}
