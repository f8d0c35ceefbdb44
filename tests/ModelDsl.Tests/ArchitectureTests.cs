using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelDsl.Metrics;
using ModelDsl.Tests.Models;
using ModelDsl.Training;
using Xunit;
using Xunit.Abstractions;

namespace ModelDsl.Tests;

/// <summary>
/// Every architecture trains on <see cref="SyntheticData"/> to the same bar as Shared-Bottom (click
/// AUC ≥ 0.75, watch-time RMSE well under the mean baseline), exports, and its ONNX graph matches
/// TorchSharp within 1e-5 on every output.
/// </summary>
public sealed class ArchitectureTests(ITestOutputHelper output) : IDisposable
{
    private static readonly SyntheticData Data = new(seed: 7);
    private static readonly TrainingOptions Options = new() { Epochs = 4, BatchSize = 256, LearningRate = 1e-2, Seed = 11 };
    private readonly string _folder = Directory.CreateTempSubdirectory("modeldsl-arch-").FullName;

    [Fact]
    public void Mmoe() => ClickAndWatch(new MmoeModel.Trainer(Options), r => new MmoeModel
    {
        UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
    });

    [Fact]
    public void Omoe() => ClickAndWatch(new OmoeModel.Trainer(Options), r => new OmoeModel
    {
        UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
    });

    [Fact]
    public void Ple() => ClickAndWatch(new PleModel.Trainer(Options), r => new PleModel
    {
        UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
    });

    [Fact]
    public void Adatt() => ClickAndWatch(new AdattModel.Trainer(Options), r => new AdattModel
    {
        UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
    });

    [Fact]
    public void AdattSp() => ClickAndWatch(new AdattSpModel.Trainer(Options), r => new AdattSpModel
    {
        UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
    });

    [Fact]
    public void MmoeWithNormalizedExperts() => ClickAndWatch(new NormalizedMmoeModel.Trainer(Options), r => new NormalizedMmoeModel
    {
        UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
    });

    [Fact]
    public void PleGatesWithHiddenLayersExportWhatTheyTrain()
    {
        using var trainer = new GatedPleModel.Trainer(Options with { Epochs = 1 });
        trainer.Fit(Data.Rows(3_000, seed: 1).Select(r => new GatedPleModel
        {
            UserId = r.User, ItemId = r.Item, DayOfWeek = r.DayOfWeek, Price = r.Price, Click = r.Click, WatchMinutes = r.WatchMinutes,
        }));
        Parity.Check(trainer.Network, Export(trainer, "gated-ple.onnx"));
    }

    [Fact]
    public void EsmmChainOnMmoe()
    {
        using var trainer = new FunnelModel.Trainer(Options);
        static FunnelModel Sample(SyntheticRow r) => new()
        {
            UserId = r.User, ItemId = r.Item, Price = r.Price, Click = r.Click, Cart = r.Cart, Purchase = r.Purchase,
        };
        var validation = Data.Rows(5_000, seed: 2);
        var report = trainer.Fit(Data.Rows(30_000, seed: 1).Select(Sample), validation.Select(Sample));
        output.WriteLine(report.ToString());

        Assert.Equal(["Click", "Purchase", "PurchaseGivenCart", "Cart", "CartGivenClick"], FunnelModel.Schema.Outputs.Select(o => o.Name));
        Assert.True(report.Final["Click"].Auc >= 0.75, $"click AUC {report.Final["Click"].Auc}");
        Assert.True(report.Final["Cart"].Auc >= 0.75, $"joint click∧cart AUC {report.Final["Cart"].Auc}");
        Assert.True(report.Final["Purchase"].Auc >= 0.75, $"joint purchase AUC {report.Final["Purchase"].Auc}");
        Assert.True(report.Final["Cart"].ConditionalAuc >= 0.6, $"cart | click AUC {report.Final["Cart"].ConditionalAuc}");

        var path = Export(trainer, "funnel.onnx");
        Parity.Check(trainer.Network, path);
        using var predictor = new FunnelModel.Predictor(path);
        var p = predictor.Predict(Sample(validation[0]).ToFeatures());
        Assert.Equal(p.Click * p.CartGivenClick, p.Cart, 1e-6f);
        Assert.Equal(p.Cart * p.PurchaseGivenCart, p.Purchase, 1e-6f);
    }

    [Fact]
    public void WatchTimeWeightedClicksGiveOddsThatTrackExpectedWatchTime()
    {
        using var trainer = new WatchWeightedModel.Trainer(Options with { Epochs = 5 });
        static WatchWeightedModel Sample(SyntheticRow r) => new()
        {
            UserId = r.User, ItemId = r.Item, Price = r.Price, Click = r.Click, WatchSeconds = r.WatchSeconds, WatchMinutes = r.WatchMinutes,
        };
        var validation = Data.Rows(5_000, seed: 2);
        trainer.Fit(Data.Rows(30_000, seed: 1).Select(Sample), validation.Select(Sample));
        var path = Export(trainer, "weighted.onnx");
        Parity.Check(trainer.Network, path);

        using var predictor = new WatchWeightedModel.Predictor(path);
        var predictions = new WatchWeightedModel.Prediction[validation.Count];
        predictor.Predict(validation.Select(r => Sample(r).ToFeatures()).ToArray(), predictions);
        // Weighted LR learns odds = Σ watch seconds of clicks / number of non-clicks = E[T] / (1 − P(click)),
        // heavy-tailed where clicks are likely, so compare logarithms and the median ratio.
        var truth = validation.Select(r => Math.Log(r.ExpectedWatchSeconds / (1 - r.ClickProbability))).ToArray();
        var odds = predictions.Select(p => Math.Log(p.ClickOdds)).ToArray();
        var correlation = Correlation(odds, truth);
        var medianRatio = Math.Exp(odds.Zip(truth, (a, b) => a - b).Order().ElementAt(odds.Length / 2));
        output.WriteLine($"log-odds vs log(E[T]/(1-P)): correlation {correlation:F3}, median odds/truth {medianRatio:F2}");
        Assert.True(correlation > 0.8, $"correlation of log odds with log(E[T]/(1-P)): {correlation}");
        Assert.InRange(medianRatio, 0.7, 1.4);
    }

    private void ClickAndWatch<TModel>(ModelTrainer<TModel> trainer, Func<SyntheticRow, TModel> sample)
    {
        using (trainer)
        {
            var report = trainer.Fit(Data.Rows(30_000, seed: 1).Select(sample), Data.Rows(5_000, seed: 2).Select(sample));
            output.WriteLine(report.ToString());
            var click = report.Final["Click"];
            var watch = report.Final["WatchMinutes"];
            Assert.True(click.Auc >= 0.75, $"click AUC {click.Auc}");
            Assert.True(watch.Rmse < 0.75 * watch.BaselineRmse, $"watch RMSE {watch.Rmse} vs mean baseline {watch.BaselineRmse}");
            Parity.Check(trainer.Network, Export(trainer, $"{trainer.Schema.Name}.onnx"));
        }
    }

    private string Export<TModel>(ModelTrainer<TModel> trainer, string name)
    {
        var path = Path.Combine(_folder, name);
        trainer.ExportOnnx(path);
        return path;
    }

    private static double Correlation(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
