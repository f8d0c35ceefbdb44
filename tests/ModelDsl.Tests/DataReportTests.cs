using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Tests.Data;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>The data report: what it counts, and that it warns when validation ids never appear in training, and only then.</summary>
public sealed class DataReportTests
{
    private static readonly TrainingOptions Options = new() { Epochs = 1, BatchSize = 64, Threads = 1 };

    /// <summary>Users drawn from <paramref name="firstUser"/> on; every other field varies, both labels occur.</summary>
    private static List<ClickWatchModel> Samples(int count, int firstUser, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new ClickWatchModel
        {
            UserId = firstUser + random.Next(100),
            ItemId = random.Next(100),
            DayOfWeek = random.Next(7),
            Price = (float)random.NextDouble(),
            Click = i % 3 == 0,
            WatchMinutes = random.Next(10),
        })];
    }

    [Fact]
    public void WarnsWhenMostValidationIdsAreUnseen()
    {
        using var trainer = new ClickWatchModel.Trainer(Options);
        // Training users are 0–99, validation users 100–199: an id embedding can only memorize.
        var report = trainer.DescribeData(Samples(2000, firstUser: 0, seed: 1), Samples(300, firstUser: 100, seed: 2));

        var users = report.Features.Single(f => f.Name == "UserId");
        Assert.Equal(1.0, users.UnseenInValidation);
        Assert.Equal(100, users.Distinct);
        Assert.Equal(2000, users.Values);
        Assert.Equal(0.0, report.Features.Single(f => f.Name == "ItemId").UnseenInValidation);
        var warning = Assert.Single(report.Warnings);
        Assert.StartsWith("UserId: 100% of validation values never appear in training", warning, StringComparison.Ordinal);
        Assert.Contains("warning: UserId", report.ToString(), StringComparison.Ordinal);

        var click = report.Labels.Single(l => l.Name == "Click");
        Assert.Equal(667 / 2000.0, click.Train, 1e-12);
        Assert.Equal(100 / 300.0, click.Validation!.Value, 1e-12);
    }

    [Fact]
    public void QuietDataRaisesNoWarning()
    {
        using var trainer = new ClickWatchModel.Trainer(Options);
        var report = trainer.Fit(Samples(2000, firstUser: 0, seed: 1), Samples(300, firstUser: 0, seed: 2)).Data!;
        Assert.Empty(report.Warnings);
        Assert.Equal(2000, report.TrainRows);
        Assert.Equal(300, report.ValidationRows);
        Assert.All(report.Features, f => Assert.Equal(0.0, f.UnseenInValidation));
    }

    [Fact]
    public void ConstantColumnsAndOneClassLabelsAreWarnedAbout()
    {
        using var trainer = new ClickWatchModel.Trainer(Options);
        var samples = Samples(500, firstUser: 0, seed: 3).Select(s => new ClickWatchModel
        {
            UserId = s.UserId, ItemId = s.ItemId, DayOfWeek = s.DayOfWeek, Price = 2.5f, Click = false, WatchMinutes = s.WatchMinutes,
        }).ToList();
        var report = trainer.DescribeData(samples);
        Assert.Equal(["Price: every training value is 2.5; the column carries no information.", "Click: every training label is negative; the task cannot learn."], report.Warnings);
        Assert.True(report.Numeric.Single().Min == report.Numeric.Single().Max);
    }

    [Fact]
    public void HashedStringsReportMissingValuesAndCollisions()
    {
        var samples = Enumerable.Range(0, 400).Select(i => new CensusModel
        {
            Age = i, WorkClass = i % 4 == 0 ? null : $"class {i % 10}", Education = $"education {i}", Occupation = "x", HoursPerWeek = i % 2 == 0 ? null : i, HighIncome = i % 2 == 0,
        }).ToList();
        using var trainer = new CensusModel.Trainer(Options);
        var report = trainer.DescribeData(samples);
        var workClass = report.Features.Single(f => f.Name == "WorkClass");
        Assert.Equal(0.25, workClass.ExtraRowRate);
        // 400 distinct educations in 64 rows fill every row: too many collisions to tell how many.
        var education = report.Features.Single(f => f.Name == "Education");
        Assert.Equal(64, education.Distinct);
        Assert.Equal(double.PositiveInfinity, education.EstimatedCollisions);
        Assert.Equal(0, report.Features.Single(f => f.Name == "Occupation").EstimatedCollisions);
    }

    [Theory]
    [InlineData(1000, 1000)]
    [InlineData(200, 10_000)]
    [InlineData(5000, 4096)]
    public void CollisionEstimateInvertsTheExpectedOccupancy(int values, int vocabulary)
    {
        // n values occupy m(1 − (1 − 1/m)ⁿ) of m rows on average; the estimate recovers n − occupied.
        double occupied = vocabulary * (1 - Math.Pow(1 - 1.0 / vocabulary, values));
        Assert.Equal(values - Math.Round(occupied), DataReport.HashCollisions((int)Math.Round(occupied), vocabulary), tolerance: 2.5);
    }
}
