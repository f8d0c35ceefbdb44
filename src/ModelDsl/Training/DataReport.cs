using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ModelDsl.Training;

/// <summary>
/// What the training (and validation) data hold, as the model sees them (encoded): per feature, per numeric
/// column and per task, with warnings for what will make a model fail quietly. Printed by the quick start;
/// built before training by <c>DescribeData</c> and kept in <see cref="TrainingReport.Data"/>.
/// </summary>
/// <param name="TrainRows">Training rows.</param>
/// <param name="ValidationRows">Validation rows, 0 without a validation set.</param>
/// <param name="Features">One entry per categorical feature, in schema order.</param>
/// <param name="Numeric">One entry per numeric input column.</param>
/// <param name="Labels">One entry per task, in task order.</param>
/// <param name="Warnings">What to look at before trusting the model; empty when nothing stands out.</param>
public sealed record DataReport(long TrainRows, long ValidationRows, IReadOnlyList<CategoricalReport> Features, IReadOnlyList<NumericReport> Numeric,
    IReadOnlyList<LabelReport> Labels, IReadOnlyList<string> Warnings)
{
    /// <summary>The share of a feature's validation values unseen in training above which the report warns: its embedding rows never trained.</summary>
    public const double UnseenWarning = 0.5;

    /// <summary>Reads the encoded training tables once and the validation table, if any.</summary>
    internal static DataReport Build(ModelSchema schema, IEnumerable<SampleTable> train, SampleTable? validation, LearnedVocabularies vocabularies)
    {
        var categorical = schema.Features.Where(f => f.Kind == FeatureKind.Categorical).ToArray();
        var seen = categorical.Select(_ => new HashSet<long>()).ToArray();
        var extraRow = new long[categorical.Length];
        var values = new long[categorical.Length];
        var numeric = new NumericColumns(schema.NumericCount);
        var labels = new double[schema.Tasks.Count];
        long rows = 0;
        foreach (var table in train)
        {
            for (var row = 0; row < table.Rows; row++)
            {
                var ids = table.Categorical.AsSpan(row * table.CategoricalWidth, table.CategoricalWidth);
                for (var f = 0; f < categorical.Length; f++)
                {
                    foreach (var id in ids.Slice(categorical[f].Column, categorical[f].Size))
                    {
                        if (id == FeatureValues.Padding)
                            continue;
                        values[f]++;
                        seen[f].Add(id);
                        extraRow[f] += id == categorical[f].Vocabulary ? 1 : 0;
                    }
                }
                numeric.Add(table.Numeric.AsSpan(row * table.NumericWidth, table.NumericWidth));
                for (var t = 0; t < labels.Length; t++)
                    labels[t] += table.Labels[row * table.TaskCount + t];
            }
            rows += table.Rows;
        }

        var features = new CategoricalReport[categorical.Length];
        for (var f = 0; f < categorical.Length; f++)
        {
            var (unseen, validationExtraRow, validationValues) = validation is null ? (0L, 0L, 0L) : Unseen(validation, categorical[f], seen[f]);
            features[f] = new CategoricalReport(categorical[f].Name, values[f], seen[f].Count, Share(extraRow[f], values[f]),
                categorical[f].IsHashed ? HashCollisions(seen[f].Count, categorical[f].Vocabulary) : 0,
                validationValues, Share(unseen, validationValues))
            {
                LearnedSize = categorical[f].Learned is null ? null : vocabularies[categorical[f].Name]!.Count,
                ValidationExtraRowRate = Share(validationExtraRow, validationValues),
            };
        }
        var tasks = schema.Tasks.Select((t, i) => new LabelReport(t.Name, t.Kind, rows == 0 ? 0 : labels[i] / rows,
            validation is null ? null : Mean(validation, i))).ToArray();
        var numericReports = numeric.Reports(schema);
        return new DataReport(rows, validation?.Rows ?? 0, features, numericReports, tasks, Warn(features, numericReports, tasks));
    }

    /// <summary>The report, one line per feature, numeric column and task, then the warnings.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Data: {TrainRows:N0} training rows{(ValidationRows > 0 ? string.Create(CultureInfo.InvariantCulture, $", {ValidationRows:N0} validation rows") : "")}");
        foreach (var f in Features)
            text.AppendLine(f.ToString());
        foreach (var n in Numeric)
            text.AppendLine(n.ToString());
        foreach (var l in Labels)
            text.AppendLine(l.ToString());
        foreach (var warning in Warnings)
            text.AppendLine("warning: " + warning);
        return text.ToString();
    }

    /// <summary>
    /// Hash collisions expected among the distinct values behind <paramref name="buckets"/> occupied of
    /// <paramref name="vocabulary"/> rows: n values fill m(1 − (1 − 1/m)ⁿ) rows on average, so the rows seen
    /// give n, and n minus the rows is how many values share a row with another. With every row taken the
    /// estimate diverges: infinity, meaning the vocabulary is too small to tell.
    /// </summary>
    internal static double HashCollisions(int buckets, int vocabulary)
    {
        if (buckets == 0)
            return 0;
        if (buckets >= vocabulary)
            return double.PositiveInfinity;
        var values = Math.Log(1 - (double)buckets / vocabulary) / Math.Log(1 - 1.0 / vocabulary);
        return Math.Max(0, values - buckets);
    }

    private static (long Unseen, long ExtraRow, long Values) Unseen(SampleTable validation, FeatureInfo feature, HashSet<long> seen)
    {
        long unseen = 0, extraRow = 0, values = 0;
        for (var row = 0; row < validation.Rows; row++)
        {
            foreach (var id in validation.Categorical.AsSpan(row * validation.CategoricalWidth + feature.Column, feature.Size))
            {
                if (id == FeatureValues.Padding)
                    continue;
                values++;
                unseen += seen.Contains(id) ? 0 : 1;
                extraRow += id == feature.Vocabulary ? 1 : 0;
            }
        }
        return (unseen, extraRow, values);
    }

    private static double Mean(SampleTable table, int task)
    {
        double sum = 0;
        for (var row = 0; row < table.Rows; row++)
            sum += table.Labels[row * table.TaskCount + task];
        return table.Rows == 0 ? 0 : sum / table.Rows;
    }

    private static double Share(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    private static string[] Warn(CategoricalReport[] features, NumericReport[] numeric, LabelReport[] labels)
    {
        var warnings = new List<string>();
        foreach (var f in features.Where(f => f.UnseenInValidation > UnseenWarning))
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{f.Name}: {f.UnseenInValidation * 100:F0}% of validation values never appear in training; their embedding rows are untrained, so the model will memorize training ids instead of generalizing (split by time or by user, or drop the id)."));
        foreach (var n in numeric.Where(n => n.Min == n.Max))
            warnings.Add(string.Create(CultureInfo.InvariantCulture, $"{n.Name}: every training value is {n.Min}; the column carries no information."));
        foreach (var l in labels.Where(l => l.Kind == TaskKind.Binary && l.Train is 0 or 1))
            warnings.Add($"{l.Name}: every training label is {(l.Train == 1 ? "positive" : "negative")}; the task cannot learn.");
        return [.. warnings];
    }

    /// <summary>Minimum and maximum of each numeric input column.</summary>
    private sealed class NumericColumns(int width)
    {
        private readonly float[] _min = Enumerable.Repeat(float.PositiveInfinity, width).ToArray();
        private readonly float[] _max = Enumerable.Repeat(float.NegativeInfinity, width).ToArray();

        public void Add(ReadOnlySpan<float> row)
        {
            for (var i = 0; i < row.Length; i++)
                (_min[i], _max[i]) = (Math.Min(_min[i], row[i]), Math.Max(_max[i], row[i]));
        }

        public NumericReport[] Reports(ModelSchema schema) =>
            [.. schema.Features.Where(f => f.Kind == FeatureKind.Numeric).SelectMany(f => Enumerable.Range(0, f.Size).Select(i =>
                new NumericReport(f.Size == 1 ? f.Name : string.Create(CultureInfo.InvariantCulture, $"{f.Name}[{i}]"), _min[f.Column + i], _max[f.Column + i])))];
    }
}

/// <summary>A categorical feature's values in the data, as the model sees them (ids after hashing and the out-of-vocabulary policy).</summary>
/// <param name="Name">The feature.</param>
/// <param name="Values">Training values (sequence elements count one each; padding does not count).</param>
/// <param name="Distinct">Distinct embedding rows those values use.</param>
/// <param name="ExtraRowRate">The share of training values on the extra row (index <c>Vocabulary</c>): out-of-vocabulary ids with <c>OutOfVocabulary.Reserved</c>, missing values with <c>Missing = Category</c>, or values a learned vocabulary did not keep.</param>
/// <param name="EstimatedCollisions">For hashed strings, the distinct values expected to share a row with another (<see cref="DataReport.HashCollisions"/>; infinity when every row is taken); 0 for ids.</param>
/// <param name="ValidationValues">Validation values.</param>
/// <param name="UnseenInValidation">The share of validation values whose row no training value uses.</param>
public sealed record CategoricalReport(string Name, long Values, int Distinct, double ExtraRowRate, double EstimatedCollisions, long ValidationValues, double UnseenInValidation)
{
    /// <summary>For a learned vocabulary (<c>[Categorical(Learned = true)]</c>), the values it kept; null otherwise.</summary>
    public int? LearnedSize { get; init; }

    /// <summary>The share of validation values on the extra row: for a learned vocabulary, its out-of-vocabulary rate on validation.</summary>
    public double ValidationExtraRowRate { get; init; }

    /// <summary>One line.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"  {Name}: {Values:N0} values, {Distinct:N0} distinct, {ExtraRowRate * 100:F1}% out of vocabulary or missing, {UnseenInValidation * 100:F1}% of validation unseen{Learned}{Collisions}");

    private string Learned => LearnedSize is { } size
        ? string.Create(CultureInfo.InvariantCulture, $"; learned vocabulary of {size:N0} values, {ValidationExtraRowRate * 100:F1}% of validation out of vocabulary")
        : "";

    private string Collisions => EstimatedCollisions switch
    {
        0 => "",
        double.PositiveInfinity => "; every row taken: too many hash collisions to tell",
        var n => string.Create(CultureInfo.InvariantCulture, $"; ~{n:N0} hash collisions"),
    };
}

/// <summary>A numeric input column's range in the training data.</summary>
/// <param name="Name">The feature (with the index of an array element).</param>
/// <param name="Min">The smallest training value.</param>
/// <param name="Max">The largest training value; equal to <paramref name="Min"/> for a constant column.</param>
public sealed record NumericReport(string Name, float Min, float Max)
{
    /// <summary>One line.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"  {Name}: {Min:G4} to {Max:G4}{(Min == Max ? " (constant)" : "")}");
}

/// <summary>A task's labels: for a binary task the share of positives, for a regression the mean, for a multiclass task the mean class index.</summary>
/// <param name="Name">The task.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Train">Share of positives (or mean) in training.</param>
/// <param name="Validation">The same in validation, or null without a validation set.</param>
public sealed record LabelReport(string Name, TaskKind Kind, double Train, double? Validation)
{
    /// <summary>One line.</summary>
    public override string ToString() => $"  {Name}: {Format(Train)}{(Validation is { } v ? $" (validation: {Format(v)})" : "")}";

    private string Format(double value) => Kind switch
    {
        TaskKind.Binary => string.Create(CultureInfo.InvariantCulture, $"{value * 100:F1}% positive"),
        TaskKind.Multiclass => string.Create(CultureInfo.InvariantCulture, $"mean class index {value:G4}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"mean {value:G4}"),
    };
}
