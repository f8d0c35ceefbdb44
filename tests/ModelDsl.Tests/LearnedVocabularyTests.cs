using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelDsl.IO;
using ModelDsl.Tests.Data;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>
/// Learned vocabularies (<c>[Categorical(Learned = true)]</c>): built by the first pass of <c>Fit</c> from memory, CSV
/// and Parquet, ordered by frequency with MinCount and MaxSize; unseen values on the out-of-vocabulary row; saved in
/// weights files and checkpoints, exported into the ONNX graph (LabelEncoder), served from raw values by the
/// <c>Predictor</c> and by a bare ONNX Runtime session that knows only the file and the docs.
/// </summary>
public sealed class LearnedVocabularyTests : IDisposable
{
    private static readonly TrainingOptions Options = new() { Epochs = 2, BatchSize = 32, Threads = 1, LearningRate = 1e-2 };

    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-vocabulary-").FullName;

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static VocabularyModel Sample(long user, string country, int slot = 0) =>
        new() { UserId = user, Slot = slot, Country = country, Query = "q", Price = 0.5f, Click = user % 2 == 0 };

    [Fact]
    public void KeepsTheMostFrequentValuesWithMinCountAndMaxSizeTiesInValueOrder()
    {
        // Users: 900 and 7 four times, 3 twice, eleven once (under MinCount = 2). Countries: 8 distinct, MaxSize = 6.
        long[] users = [900, 900, 900, 900, 7, 7, 7, 7, 3, 3, .. Enumerable.Range(100, 11).Select(i => (long)i)];
        string[] countries = ["FR", " FR", "FR ", "FR", "FR", "DE", "DE", "DE", "DE", "US", "US", "US", "IT", "IT", "IT", "ES", "ES", "NL", "NL", "BE", "PL"];
        using var trainer = new VocabularyModel.Trainer(Options);
        var report = trainer.DescribeData(users.Zip(countries, (u, c) => Sample(u, c)).ToList());

        var vocabularies = trainer.Network.Vocabularies;
        Assert.Equal(new long[] { 7, 900, 3 }, vocabularies["UserId"]!.Ids);
        Assert.Equal(new[] { "FR", "DE", "IT", "US", "ES", "NL" }, vocabularies["Country"]!.Strings);
        Assert.Equal(40, vocabularies["UserId"]!.OutOfVocabularyRow);
        Assert.Equal(3, report.Features.Single(f => f.Name == "UserId").LearnedSize);
        Assert.Null(report.Features.Single(f => f.Name == "Slot").LearnedSize);
        // The eleven single users and BE and PL are out of vocabulary.
        Assert.Equal(11 / 21.0, report.Features.Single(f => f.Name == "UserId").ExtraRowRate, 1e-12);
        Assert.Equal(2 / 21.0, report.Features.Single(f => f.Name == "Country").ExtraRowRate, 1e-12);
    }

    [Fact]
    public void UnseenValuesTakeTheOutOfVocabularyRowAndKeptOnesTheirRank()
    {
        using var trainer = new VocabularyModel.Trainer(Options);
        trainer.DescribeData([Sample(7, "DE"), Sample(7, "DE"), Sample(9, "FR"), Sample(9, " FR"), Sample(9, "FR")]);
        var rows = new long[VocabularyModel.Schema.CategoricalCount];
        var numbers = new float[1];
        new VocabularyModel.Features(UserId: 9, Slot: 4, Country: " DE ", Query: "q", Price: 0).Encode(rows, numbers, trainer.Network.Vocabularies);
        Assert.Equal(new long[] { 0, 4, 1 }, rows[..3]);
        new VocabularyModel.Features(UserId: 8, Slot: 4, Country: "XX", Query: "q", Price: 0).Encode(rows, numbers, trainer.Network.Vocabularies);
        Assert.Equal(new long[] { 40, 4, 6 }, rows[..3]);
    }

    [Fact]
    public void RoundTripsThroughWeightsCheckpointOnnxAndPredictor()
    {
        var train = VocabularyModel.Samples(600, seed: 1);
        var validation = VocabularyModel.Samples(200, seed: 2, users: 90);
        using var trainer = new VocabularyModel.Trainer(Options with { CheckpointPath = PathOf("run.checkpoint") });
        var report = trainer.Fit(train, validation);
        var users = report.Data!.Features.Single(f => f.Name == "UserId");
        Assert.Equal(trainer.Network.Vocabularies["UserId"]!.Count, users.LearnedSize);
        Assert.True(users.ValidationExtraRowRate > 0, "validation users beyond the training ones are out of vocabulary");
        Assert.Contains("learned vocabulary of", report.Data.ToString(), StringComparison.Ordinal);

        trainer.Save(PathOf("model.weights"));
        using var loaded = new VocabularyModel.Trainer(Options with { Seed = 5 });
        loaded.Load(PathOf("model.weights"));
        AssertSameVocabularies(trainer, loaded);

        // A resumed run takes the checkpoint's vocabularies, not its own training samples'.
        using var resumed = new VocabularyModel.Trainer(Options with { Seed = 5 });
        resumed.Fit(VocabularyModel.Samples(300, seed: 9, users: 20), resumeFrom: PathOf("run.checkpoint"));
        AssertSameVocabularies(trainer, resumed);

        trainer.ExportOnnx(PathOf("model.onnx"));
        loaded.ExportOnnx(PathOf("loaded.onnx"));
        using var predictor = new VocabularyModel.Predictor(PathOf("model.onnx"));
        using var fromLoaded = new VocabularyModel.Predictor(PathOf("loaded.onnx"));
        var features = Candidates(validation);
        var served = new VocabularyModel.Prediction[features.Length];
        predictor.Predict(features, served);
        var expected = trainer.Predict(features).Select(p => p.Click).ToArray();
        for (var i = 0; i < features.Length; i++)
        {
            Assert.True(Math.Abs(served[i].Click - expected[i]) <= 1e-5, $"candidate {i}: ONNX {served[i].Click}, TorchSharp {expected[i]}");
            Assert.Equal(served[i], fromLoaded.Predict(features[i]));
            Assert.Equal(served[i], predictor.Predict(features[i]));
        }

        // Unseen values share the out-of-vocabulary row; spaces around a string do not matter.
        var unseen = new VocabularyModel.Features(UserId: 5, Slot: 1, Country: "ZZ", Query: "q1", Price: 0.3f);
        Assert.Equal(predictor.Predict(unseen), predictor.Predict(unseen with { UserId = 123_456_789, Country = "Atlantis" }));
        Assert.NotEqual(predictor.Predict(unseen), predictor.Predict(unseen with { UserId = trainer.Network.Vocabularies["UserId"]!.Ids[0] }));
        Assert.Equal(predictor.Predict(unseen with { Country = "FR" }), predictor.Predict(unseen with { Country = "  FR\t" }));
    }

    [Fact]
    public void ABareOnnxRuntimeSessionScoresRawValuesAsThePredictorDoes()
    {
        using var trainer = new VocabularyModel.Trainer(Options);
        trainer.Fit(VocabularyModel.Samples(400, seed: 3));
        trainer.ExportOnnx(PathOf("model.onnx"));
        var features = Candidates(VocabularyModel.Samples(50, seed: 4, users: 90));
        using var predictor = new VocabularyModel.Predictor(PathOf("model.onnx"));
        var served = new VocabularyModel.Prediction[features.Length];
        predictor.Predict(features, served);

        // What docs/architecture.md tells any host: the inputs' columns are listed in the metadata, learned ids go raw
        // into 'categorical', learned strings, trimmed, into 'strings', hashed strings as FNV-1a 64 of their trimmed UTF-8
        // modulo the vocabulary.
        using var session = new InferenceSession(PathOf("model.onnx"));
        var metadata = session.ModelMetadata.CustomMetadataMap;
        var idColumns = metadata["modeldsl.categorical"].Split(',').Select(c => c.Split(':')).ToArray();
        var stringColumns = metadata["modeldsl.strings"].Split(',').Select(c => c.Split(':')[0]).ToArray();
        Assert.Equal(new[] { "UserId", "Slot", "Query" }, idColumns.Select(c => c[0]));
        Assert.Equal(new[] { "Country" }, stringColumns);
        Assert.StartsWith("UserId:", metadata["modeldsl.learned"], StringComparison.Ordinal);
        var ids = new DenseTensor<long>([features.Length, idColumns.Length]);
        var strings = new DenseTensor<string>([features.Length, 1]);
        for (var i = 0; i < features.Length; i++)
        {
            var f = features[i];
            ids[i, 0] = f.UserId;
            ids[i, 1] = f.Slot;
            ids[i, 2] = (long)(Fnv1a(f.Query!.Trim()) % ulong.Parse(idColumns[2][1], CultureInfo.InvariantCulture));
            strings[i, 0] = f.Country!.Trim();
        }
        var numeric = new DenseTensor<float>(features.Select(f => f.Price).ToArray(), [features.Length, 1]);
        using var results = session.Run(new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("categorical", ids),
            NamedOnnxValue.CreateFromTensor("strings", strings),
            NamedOnnxValue.CreateFromTensor("numeric", numeric),
        });
        var clicks = results.Single(r => r.Name == "Click").AsTensor<float>().ToArray();
        for (var i = 0; i < features.Length; i++)
            Assert.True(Math.Abs(clicks[i] - served[i].Click) <= 1e-5, $"candidate {i}: bare session {clicks[i]}, Predictor {served[i].Click}");
    }

    [Fact]
    public void StreamedCsvAndParquetLearnWhatMemoryLearns()
    {
        var samples = VocabularyModel.Samples(500, seed: 6);
        var csv = new StringBuilder("UserId,Slot,Country,Query,Price,Click\n");
        foreach (var s in samples)
            csv.Append(CultureInfo.InvariantCulture, $"{s.UserId},{s.Slot},{s.Country},{s.Query},{s.Price:R},{(s.Click ? 1 : 0)}\n");
        File.WriteAllText(PathOf("train.csv"), csv.ToString());
        DataFiles.WriteParquet(PathOf("train.parquet"), samples, rowGroupSize: 100);

        using var inMemory = new VocabularyModel.Trainer(Options with { Epochs = 1 });
        inMemory.Fit(samples);
        using var fromCsv = new VocabularyModel.Trainer(Options with { Epochs = 1, StreamChunkRows = 64 });
        fromCsv.Fit(VocabularyModel.ReadCsv(PathOf("train.csv")));
        using var fromParquet = new VocabularyModel.Trainer(Options with { Epochs = 1 });
        fromParquet.DescribeData(VocabularyModel.ReadParquet(PathOf("train.parquet")));
        AssertSameVocabularies(inMemory, fromCsv);
        AssertSameVocabularies(inMemory, fromParquet);
    }

    [Fact]
    public void MisuseIsRefusedNamingWhatIsWrong()
    {
        using var fresh = new VocabularyModel.Trainer(Options);
        foreach (var action in new Action[] { () => fresh.ExportOnnx(PathOf("x.onnx")), () => fresh.Save(PathOf("x.weights")), () => fresh.Evaluate([Sample(1, "FR")]) })
        {
            var message = Assert.Throws<InvalidOperationException>(action).Message;
            Assert.Contains("learned vocabularies of ModelDsl.Tests.Models.VocabularyModel (UserId, Country) are not learned yet", message, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(PathOf("x.weights")));

        var allDistinct = Enumerable.Range(0, 10).Select(i => Sample(i, "FR")).ToList();
        Assert.Equal("No value of UserId occurs MinCount = 2 times in the training samples (10 distinct values): its learned vocabulary would be empty; lower MinCount.",
            Assert.Throws<ModelDataException>(() => fresh.Fit(allDistinct)).Message);
        Assert.False(fresh.Network.Vocabularies.IsLearned);

        var withNull = VocabularyModel.Samples(10, seed: 1);
        withNull[3].Country = null!;
        Assert.StartsWith("training sample at index 3: VocabularyModel.Country is null",
            Assert.Throws<ModelDataException>(() => fresh.Fit(withNull)).Message, StringComparison.Ordinal);
        Assert.Equal("feature", Assert.Throws<ArgumentException>(() => fresh.Network.Vocabularies["Slot"]).ParamName);
    }

    [Fact]
    public void WeightsFilesKeepFormat2WithoutVocabulariesAndRefuseOnesThatCannotHoldThem()
    {
        using var plain = new ClickWatchModel.Trainer(Options);
        plain.Save(PathOf("plain.weights"));
        Assert.Equal(2, BitConverter.ToInt32(File.ReadAllBytes(PathOf("plain.weights")), 17));

        using var trainer = new VocabularyModel.Trainer(Options);
        trainer.DescribeData(VocabularyModel.Samples(100, seed: 1));
        trainer.Save(PathOf("learned.weights"));
        Assert.Equal(3, BitConverter.ToInt32(File.ReadAllBytes(PathOf("learned.weights")), 17));

        new ChecksummedFile("MODELDSL-WEIGHTS", 2, "weights file").Write(PathOf("old.weights"), writer =>
        {
            writer.Write(VocabularyModel.Schema.Fingerprint);
            trainer.Network.save(writer);
        });
        using var other = new VocabularyModel.Trainer(Options);
        Assert.Equal($"The weights file '{PathOf("old.weights")}' has format 2, which holds no learned vocabularies, but ModelDsl.Tests.Models.VocabularyModel learns some; save it again with this ModelDsl.",
            Assert.Throws<ModelFileException>(() => other.Load(PathOf("old.weights"))).Message);
        new ChecksummedFile("MODELDSL-WEIGHTS", 4, "weights file").Write(PathOf("future.weights"), writer => writer.Write(VocabularyModel.Schema.Fingerprint));
        Assert.Equal($"The weights file '{PathOf("future.weights")}' has format 4; this ModelDsl reads formats 2 to 3.",
            Assert.Throws<ModelFileException>(() => other.Load(PathOf("future.weights"))).Message);
        Assert.False(other.Network.Vocabularies.IsLearned);
    }

    [Fact]
    public void RawIdsAreServedWithoutAllocating()
    {
        var samples = Enumerable.Range(0, 300).Select(i => new LearnedIdModel { ItemId = 5_000_000_000L + i % 40, Price = i / 300f, Click = i % 3 == 0 }).ToList();
        using var trainer = new LearnedIdModel.Trainer(Options with { Epochs = 1 });
        trainer.Fit(samples);
        trainer.ExportOnnx(PathOf("ids.onnx"));
        using var predictor = new LearnedIdModel.Predictor(PathOf("ids.onnx"));
        var candidates = samples.Take(100).Select(s => s.ToFeatures()).ToArray();
        var predictions = new LearnedIdModel.Prediction[candidates.Length];
        for (var i = 0; i < 3; i++)
        {
            predictor.Predict(candidates, predictions);
            predictor.Predict(candidates[0]);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            predictor.Predict(candidates, predictions);
            predictor.Predict(candidates[i]);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>The features of samples, plus values training never saw and strings with spaces around them.</summary>
    private static VocabularyModel.Features[] Candidates(IEnumerable<VocabularyModel> samples) =>
        [.. samples.Select(s => s.ToFeatures()), new(UserId: -3, Slot: 9, Country: "ZZ", Query: " q7 ", Price: 0.9f), new(UserId: 1_000_000, Slot: 0, Country: " DE\t", Query: "", Price: 0)];

    private static void AssertSameVocabularies(VocabularyModel.Trainer expected, VocabularyModel.Trainer actual)
    {
        foreach (var feature in new[] { "UserId", "Country" })
        {
            Assert.Equal(expected.Network.Vocabularies[feature]!.Ids, actual.Network.Vocabularies[feature]!.Ids);
            Assert.Equal(expected.Network.Vocabularies[feature]!.Strings, actual.Network.Vocabularies[feature]!.Strings);
        }
    }

    /// <summary>64-bit FNV-1a of the UTF-8 bytes, as docs/dsl.md specifies the hash of strings.</summary>
    private static ulong Fnv1a(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(value))
            hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
