using System.Linq;
using ModelDsl.Metrics;
using Xunit;
using Xunit.Abstractions;

namespace ModelDsl.Tests;

/// <summary>Training really learns the known structure of <see cref="Models.SyntheticData"/>.</summary>
public class LearningTests(TrainedModelFixture model, ITestOutputHelper output) : IClassFixture<TrainedModelFixture>
{
    [Fact]
    public void BinaryTaskReachesAucOf075()
    {
        output.WriteLine(model.Report.ToString());
        var oracle = BinaryMetrics.ComputeAuc(
            model.Validation.Select(s => (float)model.Data.Oracle(s)).ToArray(), model.Validation.Select(s => s.Click).ToArray());
        output.WriteLine($"AUC of the true click probability: {oracle:F4}");
        var click = model.Report.Final["Click"];
        Assert.Equal("validation", model.Report.Final.MetricsOn);
        Assert.True(click.Auc >= 0.75, $"validation AUC {click.Auc}");
        Assert.True(click.LogLoss < model.Report.Epochs[0]["Click"].LogLoss, "log loss did not fall over training");
    }

    [Fact]
    public void RegressionBeatsPredictingTheMean()
    {
        var watch = model.Report.Final["WatchMinutes"];
        Assert.True(watch.Rmse < 0.75 * watch.BaselineRmse, $"RMSE {watch.Rmse} vs mean baseline {watch.BaselineRmse}");
    }

    [Fact]
    public void EvaluateMatchesTheReport()
    {
        var metrics = model.Trainer.Evaluate(model.Validation);
        Assert.Equal(model.Report.Final["Click"].Auc!.Value, metrics[0].Auc!.Value, 6);
        Assert.Equal(TaskKind.Regression, metrics[1].Kind);
    }
}
