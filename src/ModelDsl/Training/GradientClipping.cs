using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Training;

/// <summary>
/// Clips the gradients' total L2 norm to <see cref="TrainingOptions.GradientClipNorm"/>, as
/// <c>clip_grad_norm_</c> does, but scaling the tables' row-sparse gradients too: LibTorch's version counts
/// them in the norm and then scales a detached copy of each, which leaves a sparse gradient as it was.
/// </summary>
internal static class GradientClipping
{
    public static void Clip(IEnumerable<Parameter> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        var gradients = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (gradients.Count == 0)
            return;
        // The norm of an uncoalesced sparse gradient counts a row looked up twice once, its values summed.
        var total = stack(gradients.Select(g => g.norm())).norm();
        var coefficient = (maxNorm / (total + 1e-6)).clamp_max(1.0);
        foreach (var gradient in gradients)
            (gradient.is_sparse ? gradient.SparseValues : gradient).mul_(coefficient);
    }
}
