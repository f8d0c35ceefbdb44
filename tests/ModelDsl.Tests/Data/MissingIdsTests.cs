using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using ModelDsl.Data;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests.Data;

/// <summary>
/// Integer ids and sequences that may be missing, one of each policy: a user id with its own missing row, a
/// country that a missing one fills with id 0, recent items whose missing history is the (shared) missing row of
/// the item table, tags missing as none, days whose missing row is also their out-of-vocabulary row; and a
/// history that cannot be missing.
/// </summary>
[MultiTaskModel]
[SharedBottom(8)]
public partial class MissingIdsModel
{
    [Categorical(Vocabulary = 40, Dim = 4, Missing = MissingValue.Category)] public long? UserId { get; init; }
    [Categorical(Vocabulary = 20, Dim = 4, MissingId = 0)] public int? Country { get; init; }
    [Categorical(Vocabulary = 30, Dim = 4, Group = "item")] public long ItemId { get; init; }
    [Categorical(Vocabulary = 30, Dim = 4, Group = "item", MaxLength = 3, Missing = MissingValue.Category)] public long[]? Recent { get; init; }
    [Categorical(Vocabulary = 30, Dim = 4, Group = "item", MaxLength = 2)] public long[] Liked { get; init; } = [];
    [Categorical(Vocabulary = 16, Dim = 2, MaxLength = 2, Missing = MissingValue.Empty)] public string[]? Tags { get; init; }
    [Categorical(Vocabulary = 7, Dim = 2, MaxLength = 2, OutOfVocabulary = OutOfVocabulary.Reserved, Missing = MissingValue.Category)] public int[]? Days { get; init; }
    [Numeric] public float Price { get; init; }

    [BinaryTask] public bool Click { get; init; }
}

public sealed class MissingIdsTests : IDisposable
{
    private const string Header = "UserId,Country,ItemId,Recent,Liked,Tags,Days,Price,Click\n";
    private static readonly CsvOptions Markers = new() { MissingValues = ["?", "NA"] };
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-missing-ids-").FullName;

    [Fact]
    public void EachPolicyEncodesAMissingValueAlikeInTrainingAndServing()
    {
        Span<long> ids = stackalloc long[MissingIdsModel.Schema.CategoricalCount];
        Span<float> numbers = stackalloc float[1];
        new MissingIdsModel.Features(UserId: null, Country: null, ItemId: 4, Recent: null, Liked: [1], Tags: null, Days: null, Price: 1).Encode(ids, numbers);
        // Columns in layout order: the width-4 table (UserId, Country, ItemId, Recent ×3, Liked ×2), then width 2 (Tags ×2, Days ×2).
        Assert.Equal([40, 0, 4, 30, -1, -1, 1, -1, -1, -1, 7, -1], ids.ToArray());

        new MissingIdsModel.Features(UserId: 39, Country: 19, ItemId: 4, Recent: [], Liked: [], Tags: [], Days: [8], Price: 1).Encode(ids, numbers);
        Assert.Equal([39, 19, 4, -1, -1, -1, -1, -1, -1, -1, 7, -1], ids.ToArray());

        // The item table's segment has the missing row that Recent, not its first member ItemId, needs: 41 + 20 + 31 rows.
        using (var network = new MissingIdsModel.Network())
            Assert.Equal([41L + 20 + 31, 4], network.state_dict()["embeddings_4.table.weight"].shape);

        // An id the vocabulary lacks is still an error, missing or not; so is a missing history that may not be missing.
        var features = new MissingIdsModel.Features(UserId: 40, Country: null, ItemId: 4, Recent: null, Liked: [], Tags: null, Days: null, Price: 1);
        long[] buffer = new long[ids.Length];
        Assert.Equal("MissingIdsModel.UserId = 40 is outside its vocabulary: ids must be in [0, 40).",
            Assert.Throws<ModelDataException>(() => features.Encode(buffer, new float[1])).Message);
        Assert.StartsWith("MissingIdsModel.Liked is null",
            Assert.Throws<ModelDataException>(() => (features with { UserId = null, Liked = null }).Encode(buffer, new float[1])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvMarkersAndParquetNullsAreMissingIdsAndSequences()
    {
        string csv = Path.Combine(_folder, "missing.csv");
        File.WriteAllText(csv, Header + "7,3,5,1|2,4,a|b,1|2,0.5,1\n?,NA,6,?,,?,NA,1.5,0\n");
        var read = MissingIdsModel.ReadCsv(csv, Markers).ToList();
        Assert.Equal(7L, read[0].UserId);
        Assert.Equal(3, read[0].Country);
        Assert.Equal([1L, 2L], read[0].Recent!);
        Assert.Equal(["a", "b"], read[0].Tags!);
        Assert.Equal([1, 2], read[0].Days!);
        Assert.Equal<object?>([null, null, null, null, null], [read[1].UserId, read[1].Country, read[1].Recent, read[1].Tags, read[1].Days]);
        Assert.Empty(read[1].Liked);   // an empty cell is an empty sequence, unless "" is a marker

        string parquet = Path.Combine(_folder, "missing.parquet");
        DataFiles.WriteParquet(parquet, new MissingRow[]
        {
            new() { UserId = 7, Country = 3, ItemId = 5, Recent = [1, 2], Liked = [4], Tags = ["a"], Days = [1], Price = 0.5, Click = true },
            new() { UserId = null, Country = null, ItemId = 6, Recent = null, Liked = [], Tags = null, Days = null, Price = 1.5, Click = false },
        });
        var fromParquet = MissingIdsModel.ReadParquet(parquet).ToList();
        Assert.Equal(7L, fromParquet[0].UserId);
        Assert.Equal(3, fromParquet[0].Country);
        Assert.Equal([1L, 2L], fromParquet[0].Recent!);
        Assert.Equal<object?>([null, null, null, null, null], [fromParquet[1].UserId, fromParquet[1].Country, fromParquet[1].Recent, fromParquet[1].Tags, fromParquet[1].Days]);
    }

    [Fact]
    public void BadInputNamesTheFileRowAndColumn()
    {
        string csv = Path.Combine(_folder, "bad.csv");
        File.WriteAllText(csv, Header + "7,3,5,1,4,a,1,0.5,1\nx1,3,5,1,4,a,1,0.5,1\n");
        Assert.Equal($"{csv}, row 2, column 'UserId': 'x1' is not an integer.", ReadCsvError(csv));
        File.WriteAllText(csv, Header + "7,3,5,1|?,4,a,1,0.5,1\n");
        Assert.Equal($"{csv}, row 1, column 'Recent': element 2 of 2, '?', is not an integer.", ReadCsvError(csv));
        File.WriteAllText(csv, Header + "7,3,5,1,4,a,1,0.5,1\n7,3,5,1,?,a,1,0.5,1\n");
        Assert.Equal($"{csv}, row 2, column 'Liked': '?' is a missing value (CsvOptions.MissingValues), and the member cannot be missing: "
            + "declare it nullable (float?, long?, string?) to give it a missing policy (a sequence: Missing = Category or Empty).", ReadCsvError(csv));
        File.WriteAllText(csv, Header + "7,3,?,1,4,a,1,0.5,1\n");
        Assert.StartsWith($"{csv}, row 1, column 'ItemId': '?' is a missing value", ReadCsvError(csv), StringComparison.Ordinal);

        string parquet = Path.Combine(_folder, "bad.parquet");
        DataFiles.WriteParquet(parquet, new MissingRow[] { new() { UserId = 1, ItemId = 2, Liked = null, Price = 1 } });
        Assert.Equal($"{parquet}, row 1, column 'Liked': the list is null.",
            Assert.Throws<ModelDataException>(() => MissingIdsModel.ReadParquet(parquet).ToList()).Message);
        DataFiles.WriteParquet(parquet, new MissingRow[] { new() { UserId = 1, ItemId = null, Liked = [], Price = 1 } });
        Assert.Equal($"{parquet}, row 1, column 'ItemId': the value is null.",
            Assert.Throws<ModelDataException>(() => MissingIdsModel.ReadParquet(parquet).ToList()).Message);
    }

    /// <summary>
    /// Trained from a file with markers, then served: the ONNX predictor scores missing values as the network
    /// trained on them (the missing rows learnt something), and as <c>Trainer.Predict</c> does.
    /// </summary>
    [Fact]
    public void TrainsOnMissingValuesAndServesThemAsTrained()
    {
        string csv = Path.Combine(_folder, "train.csv");
        var random = new Random(4);
        var text = new StringBuilder(Header);
        for (int i = 0; i < 1200; i++)
        {
            bool missingUser = random.Next(4) == 0, click = missingUser ? random.Next(10) < 8 : random.Next(10) < 2;
            string Maybe(string value) => random.Next(3) == 0 ? "?" : value;
            text.Append(CultureInfo.InvariantCulture,
                $"{(missingUser ? "?" : random.Next(40).ToString(CultureInfo.InvariantCulture))},{Maybe(random.Next(20).ToString(CultureInfo.InvariantCulture))},{random.Next(30)},{Maybe($"{random.Next(30)}|{random.Next(30)}")},{random.Next(30)},{Maybe("x|y")},{Maybe(random.Next(9).ToString(CultureInfo.InvariantCulture))},{random.NextDouble():F3},{(click ? 1 : 0)}\n");
        }
        File.WriteAllText(csv, text.ToString());

        using var trainer = new MissingIdsModel.Trainer(new TrainingOptions { Epochs = 6, BatchSize = 64, LearningRate = 2e-2, Seed = 2, Threads = 1 });
        TrainingReport report = trainer.Fit(MissingIdsModel.ReadCsv(csv, Markers), MissingIdsModel.ReadCsv(csv, Markers));
        Assert.True(report.Final["Click"].Auc > 0.68, $"AUC {report.Final["Click"].Auc}: a missing user predicts a click here");
        Assert.Contains(report.Data!.Features, f => f.Name == "UserId" && f.ExtraRowRate > 0.15);

        string model = Path.Combine(_folder, "missing.onnx");
        trainer.ExportOnnx(model);
        using var predictor = new MissingIdsModel.Predictor(model);
        var candidates = MissingIdsModel.ReadCsv(csv, Markers).Take(300).Select(s => s.ToFeatures())
            .Append(new MissingIdsModel.Features(UserId: null, Country: null, ItemId: 1, Recent: null, Liked: [], Tags: null, Days: null, Price: 0.5f)).ToArray();
        Assert.All<Func<MissingIdsModel.Features, bool>>([c => c.UserId is null, c => c.Country is null, c => c.Recent is null, c => c.Tags is null, c => c.Days is null],
            missing => Assert.True(candidates.Count(missing) > 10));
        var served = new MissingIdsModel.Prediction[candidates.Length];
        predictor.Predict(candidates, served);
        var eager = trainer.Predict(candidates);
        for (int i = 0; i < candidates.Length; i++)
            Assert.True(Math.Abs(served[i].Click - eager[i].Click) <= 1e-5, $"candidate {i}: ONNX {served[i].Click} vs TorchSharp {eager[i].Click}");

        var known = new MissingIdsModel.Features(UserId: 3, Country: 0, ItemId: 4, Recent: [], Liked: [], Tags: [], Days: [], Price: 0.5f);
        Assert.True(predictor.Predict(known with { UserId = null }).Click > predictor.Predict(known).Click + 0.2, "the missing user row learnt its clicks");
        Assert.Equal(predictor.Predict(known), predictor.Predict(known with { Country = null }));   // the fill id 0
        Assert.Equal(predictor.Predict(known), predictor.Predict(known with { Tags = null }));      // missing tags are none
    }

    private static string ReadCsvError(string path) =>
        Assert.Throws<ModelDataException>(() => MissingIdsModel.ReadCsv(path, Markers).ToList()).Message;

    public sealed record MissingRow
    {
        public long? UserId { get; init; }
        public int? Country { get; init; }
        public long? ItemId { get; init; }
        public long[]? Recent { get; init; }
        public long[]? Liked { get; init; }
        public string[]? Tags { get; init; }
        public int[]? Days { get; init; }
        public double Price { get; init; }
        public bool Click { get; init; }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
