using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;

namespace ModelDsl.Tests;

/// <summary>Early stopping that cannot work fails before the first epoch, naming the option and the valid choices.</summary>
public sealed class EarlyStoppingTests
{
    private static readonly SyntheticData Data = new(seed: 7);
    private static readonly List<ClickWatchModel> Train = Data.Samples(300, seed: 1);
    private static readonly TrainingOptions Options = new() { Epochs = 2, BatchSize = 64 };

    [Fact]
    public void UnknownTaskFailsWhenTheTrainerIsCreated()
    {
        var error = Assert.Throws<ArgumentException>(() => new ClickWatchModel.Trainer(Options with { EarlyStopping = new EarlyStopping("Clik") }));
        Assert.Equal($"EarlyStopping.Task 'Clik' is not a task of {ClickWatchModel.Schema.Name}; its tasks are 'Click', 'WatchMinutes'.", error.Message);
    }

    [Theory]
    [InlineData("Click", Metric.Rmse, "EarlyStopping.Metric Rmse is not reported by 'Click', a Binary task; it reports Auc and LogLoss.")]
    [InlineData("WatchMinutes", Metric.Auc, "EarlyStopping.Metric Auc is not reported by 'WatchMinutes', a Regression task; it reports Rmse and Mae.")]
    public void MetricTheTaskDoesNotReportFailsWhenTheTrainerIsCreated(string task, Metric metric, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new ClickWatchModel.Trainer(Options with { EarlyStopping = new EarlyStopping(task, metric) }));
        Assert.Equal(expected, error.Message);
    }

    [Theory]
    [InlineData(false, "negative")]
    [InlineData(true, "positive")]
    public void AucOnASingleClassValidationSetFailsBeforeTraining(bool click, string described)
    {
        using var trainer = new ClickWatchModel.Trainer(Options with { EarlyStopping = new EarlyStopping("Click") });
        var validation = Data.Samples(50, seed: 2).Select(s => new ClickWatchModel { UserId = s.UserId, ItemId = s.ItemId, Click = click }).ToList();
        var progress = new Reports();
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(Train, validation, progress));
        Assert.Equal("validation", error.ParamName);
        Assert.StartsWith($"EarlyStopping watches the AUC of 'Click', which is undefined on this validation set: all 50 samples are {described}.", error.Message, StringComparison.Ordinal);
        Assert.Empty(progress);
    }

    [Fact]
    public void LogLossOnASingleClassValidationSetStillStops()
    {
        using var trainer = new ClickWatchModel.Trainer(Options with { EarlyStopping = new EarlyStopping("Click", Metric.LogLoss) });
        var validation = Data.Samples(50, seed: 2).Select(s => new ClickWatchModel { UserId = s.UserId, ItemId = s.ItemId }).ToList();
        var report = trainer.Fit(Train, validation);
        Assert.InRange(report.BestEpoch, 1, 2);
        Assert.True(double.IsNaN(report.Final["Click"].Auc!.Value));
    }

    private sealed class Reports : List<TrainingProgress>, IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => Add(value);
    }
}
