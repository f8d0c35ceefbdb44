using System.Linq;
using ModelDsl.Training;
using Quickstart;
using TorchSharp;

namespace ModelDsl.Hosting.Tests;

/// <summary>A VideoRanker file with weights as a damaged file might have them (also used by the Serving tests).</summary>
internal static class NonFiniteModel
{
    /// <summary>
    /// Exports a VideoRanker whose answers overflow to infinity or NaN for any candidate with VideoAgeDays ≥ 1, but are
    /// finite at 0 (so the default probe, every feature 0, passes): the bottom's first layer reads the embeddings, then
    /// VideoAgeDays, whose weights become float.MaxValue.
    /// </summary>
    public static void Export(string path)
    {
        using var trainer = new VideoRanker.Trainer(new TrainingOptions { Seed = 3 });
        var width = VideoRanker.Schema.Features.Where(f => f.Kind == FeatureKind.Categorical).Sum(f => f.Dim) + 1;
        using (torch.no_grad())
        {
            var weight = trainer.Network.parameters().First(p => p.dim() == 2 && p.shape[1] == width);
            weight[torch.TensorIndex.Colon, torch.TensorIndex.Single(width - 1)].fill_(float.MaxValue);
        }
        trainer.ExportOnnx(path);
    }
}
