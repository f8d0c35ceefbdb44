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
/// A census extract as it is published: no header, fields separated by ", ", '?' for a missing value,
/// and labels written as text. Its columns: age, workclass, fnlwgt (not used), education, occupation,
/// hours per week, income.
/// </summary>
[MultiTaskModel]
[SharedBottom(16)]
public partial class CensusModel
{
    [Numeric(Transform = NumericTransform.Standardize), Column(Index = 0)] public float Age { get; init; }
    [Categorical(Vocabulary = 64, Dim = 4, Missing = MissingValue.Category), Column(Index = 1)] public string? WorkClass { get; init; }
    [Categorical(Vocabulary = 64, Dim = 4), Column(Index = 3)] public string Education { get; init; } = "";
    [Categorical(Vocabulary = 64, Dim = 4, Missing = MissingValue.Category), Column(Index = 4)] public string? Occupation { get; init; }
    [Numeric(Missing = 40, Transform = NumericTransform.Standardize), Column(Index = 5)] public float? HoursPerWeek { get; init; }

    [BinaryTask(Positive = " 50000+.", Negative = " - 50000."), Column(Index = 6)] public bool HighIncome { get; init; }
}

/// <summary>The same extract without its unused column, read in declaration order.</summary>
[MultiTaskModel]
[SharedBottom(8)]
public partial class CensusInOrderModel
{
    [Numeric] public float Age { get; init; }
    [Categorical(Vocabulary = 64, Dim = 4, Missing = MissingValue.Category)] public string? WorkClass { get; init; }
    [Categorical(Vocabulary = 64, Dim = 4)] public string Education { get; init; } = "";
    [BinaryTask(Positive = "yes", Negative = "no")] public float HighIncome { get; init; }
}

public sealed class FilesAsFoundTests : IDisposable
{
    private static readonly CsvOptions Census = new() { HasHeader = false, Separator = ',', TrimFields = true, MissingValues = ["?"] };
    private static readonly string[] Educations = ["Bachelors", "HS-grad", "Masters", "Some-college", "Doctorate", "11th"];
    private static readonly string[] WorkClasses = ["Private", "State-gov", "Self-emp-not-inc", "?"];
    private static readonly string[] Occupations = ["Adm-clerical", "Exec-managerial", "Craft-repair", "Prof-specialty", "?"];
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-files-as-found-").FullName;

    /// <summary>Writes <paramref name="rows"/> census lines; income is high mostly for degrees, age and long hours.</summary>
    private string WriteCensus(string name, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            int age = random.Next(18, 70);
            string education = Educations[random.Next(Educations.Length)];
            string hours = random.Next(5) == 0 ? "?" : random.Next(10, 70).ToString(CultureInfo.InvariantCulture);
            bool degree = education is "Bachelors" or "Masters" or "Doctorate";
            double score = (degree ? 2.0 : -1.5) + (age - 40) / 15.0 + random.NextDouble() - 0.5;
            string label = score > 0 ? " 50000+." : " - 50000.";
            text.Append(CultureInfo.InvariantCulture, $"{age}, {WorkClasses[random.Next(WorkClasses.Length)]}, {random.Next(10_000, 400_000)}, {education}, {Occupations[random.Next(Occupations.Length)]}, {hours},{label}\n");
        }
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void ReadsTheCensusFileAsPublishedAndTrainsOnIt()
    {
        string train = WriteCensus("census-train.data", 1500, seed: 1), validation = WriteCensus("census-test.data", 400, seed: 2);
        File.WriteAllText(Path.Combine(_folder, "first.data"), "39, ?, 77516, Bachelors, Adm-clerical, ?, 50000+.\n52, Self-emp-not-inc, 209642, HS-grad, ?, 45, - 50000.\n");

        var first = CensusModel.ReadCsv(Path.Combine(_folder, "first.data"), Census).ToList();
        Assert.Equal(new CensusModel { Age = 39, WorkClass = null, Education = "Bachelors", Occupation = "Adm-clerical", HoursPerWeek = null, HighIncome = true }, first[0], CensusComparer.Instance);
        Assert.Equal(new CensusModel { Age = 52, WorkClass = "Self-emp-not-inc", Education = "HS-grad", Occupation = null, HoursPerWeek = 45, HighIncome = false }, first[1], CensusComparer.Instance);

        using var trainer = new CensusModel.Trainer(new TrainingOptions { Epochs = 6, BatchSize = 64, LearningRate = 1e-2, Seed = 3, Threads = 1 });
        TrainingReport report = trainer.Fit(CensusModel.ReadCsv(train, Census), CensusModel.ReadCsv(validation, Census));
        Assert.True(report.Final["HighIncome"].Auc > 0.8, $"validation AUC {report.Final["HighIncome"].Auc}");

        // Serving: the caller sends values as they come (" Private", as the file wrote them) or trimmed; a missing one as null.
        string model = Path.Combine(_folder, "census.onnx");
        trainer.ExportOnnx(model);
        using var predictor = new CensusModel.Predictor(model);
        var trimmed = predictor.Predict(new CensusModel.Features(Age: 45, WorkClass: "Private", Education: "Masters", Occupation: "Exec-managerial", HoursPerWeek: 50));
        var untrimmed = predictor.Predict(new CensusModel.Features(Age: 45, WorkClass: " Private", Education: " Masters ", Occupation: "\tExec-managerial", HoursPerWeek: 50));
        Assert.Equal(trimmed, untrimmed);
        // A missing value is the fill value (hours) or its own category (occupation), in training and serving alike.
        var missingHours = predictor.Predict(new CensusModel.Features(Age: 45, WorkClass: "Private", Education: "Masters", Occupation: "Exec-managerial", HoursPerWeek: null));
        var fortyHours = predictor.Predict(new CensusModel.Features(Age: 45, WorkClass: "Private", Education: "Masters", Occupation: "Exec-managerial", HoursPerWeek: 40));
        Assert.Equal(fortyHours, missingHours);
        var missingOccupation = predictor.Predict(new CensusModel.Features(Age: 45, WorkClass: "Private", Education: "Masters", Occupation: null, HoursPerWeek: 50));
        Assert.NotEqual(trimmed, missingOccupation);
    }

    [Fact]
    public void MissingCategoryHasItsOwnRow()
    {
        Span<long> categorical = stackalloc long[3];
        Span<float> numeric = stackalloc float[2];
        new CensusModel.Features(1, null, "x", "", null).Encode(categorical, numeric);
        Assert.Equal(64, categorical[0]);
        Assert.Equal(StableHash.Index("", 64), categorical[2]);
        Assert.Equal(40f, numeric[1]);
    }

    [Fact]
    public void ColumnsInDeclarationOrderWithoutAHeader()
    {
        string path = Path.Combine(_folder, "in-order.csv");
        File.WriteAllText(path, "39, ?, Bachelors, yes\n50, Private, HS-grad, no\n");
        var samples = CensusInOrderModel.ReadCsv(path, Census).ToList();
        Assert.Equal([39f, 50f], samples.Select(s => s.Age));
        Assert.Equal([null, "Private"], samples.Select(s => s.WorkClass));
        Assert.Equal([1f, 0f], samples.Select(s => s.HighIncome));

        File.WriteAllText(path, "39, ?, Bachelors\n");
        var error = Assert.Throws<ModelDataException>(() => CensusInOrderModel.ReadCsv(path, Census).ToList());
        Assert.Equal($"{path}, row 1: column 'HighIncome' is field 4, but the row has 3 fields (without a header, columns are read in declaration order; [Column(Index = n)] places one).", error.Message);
    }

    [Fact]
    public void ALabelThatIsNeitherTextFailsNamingFileRowAndColumn()
    {
        string path = Path.Combine(_folder, "labels.csv");
        File.WriteAllText(path, "39, Private, Bachelors, yes\n40, Private, Bachelors, maybe\n");
        var error = Assert.Throws<ModelDataException>(() => CensusInOrderModel.ReadCsv(path, Census).ToList());
        Assert.Equal($"{path}, row 2, column 'HighIncome': 'maybe' is not a binary label: it must be 'yes' or 'no'.", error.Message);
    }

    [Fact]
    public void AMarkerWhereNothingMayBeMissingFailsNamingIt()
    {
        string path = Path.Combine(_folder, "marker.csv");
        File.WriteAllText(path, "39, Private, ?, yes\n");
        var error = Assert.Throws<ModelDataException>(() => CensusInOrderModel.ReadCsv(path, Census).ToList());
        Assert.StartsWith($"{path}, row 1, column 'Education': '?' is a missing value (CsvOptions.MissingValues), and the member cannot be missing", error.Message, StringComparison.Ordinal);

        File.WriteAllText(path, "?, Private, HS-grad, yes\n");
        error = Assert.Throws<ModelDataException>(() => CensusInOrderModel.ReadCsv(path, Census).ToList());
        Assert.StartsWith($"{path}, row 1, column 'Age': '?' is a missing value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileWithoutAHeaderReadAsIfItHadOneSaysTheHeaderIsProbablyMissing()
    {
        string path = WriteCensus("census.data", 5, seed: 4);
        var error = Assert.Throws<ModelDataException>(() => CensusModel.ReadCsv(path, Census with { HasHeader = true }).ToList());
        Assert.StartsWith($"{path}: column 'Age' is missing; the header has: '", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("is a number): if the file has no header, read it with CsvOptions { HasHeader = false }.", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 400, error.Message);

        // Census rows repeat values, which Sep took for a duplicate column name and listed every column for.
        File.WriteAllText(path, "39, Private, Private, 1\n");
        error = Assert.Throws<ModelDataException>(() => CensusModel.ReadCsv(path, Census with { HasHeader = true }).ToList());
        Assert.Equal($"{path}: the header cannot be read: columns 2 and 3 are both named 'Private'. The first line looks like data, not a header (field 1, '39', is a number): if the file has no header, read it with CsvOptions {{ HasHeader = false }}.", error.Message);
    }

    [Fact]
    public void TrimmedFieldsKeepSpacesInsideQuotes()
    {
        string path = Path.Combine(_folder, "quoted.csv");
        File.WriteAllText(path, "a, b\n \" x, y \" ,  z \n");
        var rows = DataFile.ReadCsv(path, ["a", "b"], row => (row.GetString(0), row.GetString(1)), new CsvOptions { TrimFields = true }).ToList();
        Assert.Equal([(" x, y ", "z")], rows);
    }

    [Fact]
    public void ParquetNullsAreMissingValuesAndTextLabelsReadAsInCsv()
    {
        string path = Path.Combine(_folder, "census.parquet");
        DataFiles.WriteParquet(path, new CensusRow[]
        {
            new() { Age = 39, WorkClass = null, Education = "Bachelors", HighIncome = "yes" },
            new() { Age = 50, WorkClass = "Private", Education = "HS-grad", HighIncome = " no" },
        });
        var samples = CensusInOrderModel.ReadParquet(path).ToList();
        Assert.Equal([null, "Private"], samples.Select(s => s.WorkClass));
        Assert.Equal([1f, 0f], samples.Select(s => s.HighIncome));

        // Where nothing may be missing, a null stays an error; so does a text that is neither label.
        DataFiles.WriteParquet(path, new CensusRow[] { new() { Age = 39, WorkClass = "Private", Education = null, HighIncome = "yes" } });
        var error = Assert.Throws<ModelDataException>(() => CensusInOrderModel.ReadParquet(path).ToList());
        Assert.Equal($"{path}, row 1, column 'Education': the value is null.", error.Message);
        DataFiles.WriteParquet(path, new CensusRow[] { new() { Age = 39, WorkClass = "Private", Education = "HS-grad", HighIncome = "maybe" } });
        error = Assert.Throws<ModelDataException>(() => CensusInOrderModel.ReadParquet(path).ToList());
        Assert.Equal($"{path}, row 1, column 'HighIncome': 'maybe' is not a binary label: it must be 'yes' or 'no'.", error.Message);
    }

    public sealed record CensusRow
    {
        public double? Age { get; init; }
        public string? WorkClass { get; init; }
        public string? Education { get; init; }
        public string? HighIncome { get; init; }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class CensusComparer : System.Collections.Generic.IEqualityComparer<CensusModel>
    {
        public static readonly CensusComparer Instance = new();

        public bool Equals(CensusModel? x, CensusModel? y) =>
            (x!.Age, x.WorkClass, x.Education, x.Occupation, x.HoursPerWeek, x.HighIncome) == (y!.Age, y.WorkClass, y.Education, y.Occupation, y.HoursPerWeek, y.HighIncome);

        public int GetHashCode(CensusModel obj) => 0;
    }
}
