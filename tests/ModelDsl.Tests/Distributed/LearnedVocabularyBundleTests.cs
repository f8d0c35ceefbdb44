using System;
using System.IO;
using System.Linq;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Distributed;

/// <summary>
/// Learned vocabularies in distributed training: the training shards learn them in C# and hold rows, the bundle
/// carries them, and the weights Python writes carry them back, so <c>Load</c> restores them and the model serves.
/// </summary>
public sealed class LearnedVocabularyBundleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-vocabulary-bundle-").FullName;

    [Fact]
    public void ShardsHoldRowsAndPythonWeightsCarryTheVocabulariesBack()
    {
        var options = new TrainingOptions { BatchSize = 32, Epochs = 1, Threads = 1 };
        using var trainer = new VocabularyModel.Trainer(options);
        Assert.Contains("are not learned yet", Assert.Throws<InvalidOperationException>(() => ModelDsl.Distributed.TrainingBundle.Write(Path.Combine(_folder, "early"), trainer.Network, options)).Message, StringComparison.Ordinal);

        var samples = VocabularyModel.Samples(300, seed: 1);
        // Raw user ids are over 1,000,000 and the table has 41 rows: Python trains only if the shards hold rows.
        var run = DdpRun.Prepare(_folder, trainer, options, samples, VocabularyModel.Samples(100, seed: 2));
        Assert.True(trainer.Network.Vocabularies.IsLearned);
        var trained = Path.Combine(_folder, "trained.weights");
        run.Launch(1, "--output", trained);

        using var loaded = new VocabularyModel.Trainer(options);
        loaded.Load(trained);
        Assert.Equal(trainer.Network.Vocabularies["UserId"]!.Ids, loaded.Network.Vocabularies["UserId"]!.Ids);
        Assert.Equal(trainer.Network.Vocabularies["Country"]!.Strings, loaded.Network.Vocabularies["Country"]!.Strings);
        var onnx = Path.Combine(_folder, "model.onnx");
        loaded.ExportOnnx(onnx);
        using var predictor = new VocabularyModel.Predictor(onnx);
        Assert.InRange(predictor.Predict(samples[0].ToFeatures()).Click, 0, 1);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
