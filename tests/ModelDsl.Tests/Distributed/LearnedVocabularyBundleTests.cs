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

    [Fact]
    public void PythonRewritesFormat3ByteForByteAndRefusesOtherVocabularies()
    {
        var options = new TrainingOptions { Threads = 1 };
        using var trainer = new VocabularyModel.Trainer(options);
        trainer.DescribeData(VocabularyModel.Samples(200, seed: 1));
        var bundle = Path.Combine(_folder, "bundle");
        ModelDsl.Distributed.TrainingBundle.Write(bundle, trainer.Network, options);
        using var other = new VocabularyModel.Trainer(options);
        other.DescribeData(VocabularyModel.Samples(200, seed: 7, users: 30));
        var otherWeights = Path.Combine(_folder, "other.weights");
        other.Save(otherWeights);
        var copy = Path.Combine(_folder, "copy.weights");
        PythonRuntime.Run(bundle, """
            import sys
            from modeldsl import load_spec, read_weights, write_weights, WeightsFileError
            spec = load_spec("spec.json")
            write_weights(sys.argv[1], spec, read_weights("initial.weights", spec))
            try:
                read_weights(sys.argv[2], spec)
                raise SystemExit("weights of other vocabularies were read")
            except WeightsFileError as e:
                assert "holds other learned vocabularies" in str(e), e
            """, copy, otherWeights);
        Assert.Equal(File.ReadAllBytes(Path.Combine(bundle, ModelDsl.Distributed.TrainingBundle.WeightsFile)), File.ReadAllBytes(copy));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
