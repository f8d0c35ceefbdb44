using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Metrics;
using ModelDsl.Training;

namespace Esmm;

/// <summary>How well a CVR estimate does, scored against the simulator's truth.</summary>
/// <param name="CvrAucAll">AUC of pCVR against the conversion each impression would have had if clicked, over all impressions (the entire space, where CVR is used).</param>
/// <param name="CvrErrorAll">Mean absolute error of pCVR against the true CVR over all impressions (calibration).</param>
/// <param name="CvrBiasAll">Mean pCVR divided by mean true CVR over all impressions: 1 is calibrated on average.</param>
/// <param name="CvrAucClicked">AUC of pCVR against observed conversions on clicked impressions (the paper's CVR AUC).</param>
/// <param name="CtcvrAucAll">AUC of pCTCVR against click ∧ conversion over all impressions (the paper's CTCVR AUC).</param>
/// <param name="CvrEceAll">Expected calibration error of pCVR against the would-be conversions over all impressions: ten equal-width bins of pCVR, each |mean pCVR − conversion rate| weighted by its share of impressions.</param>
public sealed record CvrScore(double CvrAucAll, double CvrErrorAll, double CvrBiasAll, double CvrAucClicked, double CtcvrAucAll, double CvrEceAll);

/// <summary>Trains ESMM, ESCM² and the clicked-only baseline on one log and scores them on another.</summary>
public static class Comparison
{
    public static (CvrScore Esmm, CvrScore Baseline) Run(List<Impression> train, List<Impression> test, TrainingOptions options)
    {
        var esmm = EntireSpace(new EsmmModel.Trainer(options), train, test);
        using var ctr = new CtrModel.Trainer(options);
        ctr.Fit(train.Select(i => new CtrModel { UserId = i.User, ItemId = i.Item, Price = i.Price, Click = i.Clicked }));
        using var cvr = new CvrModel.Trainer(options);
        cvr.Fit(train.Where(i => i.Clicked).Select(i => new CvrModel
        {
            UserId = i.User, ItemId = i.Item, Price = i.Price, Conversion = i.Converted,
        }));
        var ctrOut = Predict(ctr.Network, test);
        var cvrOut = Predict(cvr.Network, test);
        return (esmm, Score(test, cvrOut.Select(o => o[0]).ToArray(), cvrOut.Select((o, n) => o[0] * ctrOut[n][0]).ToArray()));
    }

    /// <summary>
    /// ESCM² (Wang et al., SIGIR 2022): ESMM with the inverse-propensity regularizer, with it at a lower propensity floor,
    /// and with the doubly robust one.
    /// </summary>
    public static (CvrScore Ips, CvrScore IpsLowFloor, CvrScore Dr) RunCounterfactual(List<Impression> train, List<Impression> test, TrainingOptions options) =>
        (EntireSpace(new EscmIpsModel.Trainer(options), train, test), EntireSpace(new EscmIpsLowFloorModel.Trainer(options), train, test),
            EntireSpace(new EscmDrModel.Trainer(options), train, test));

    /// <summary>Trains an entire-space model on every impression and scores its pCVR and pCTCVR.</summary>
    private static CvrScore EntireSpace<TSample>(ModelTrainer<TSample> trainer, List<Impression> train, List<Impression> test)
        where TSample : IFunnelSample, new()
    {
        using (trainer)
        {
            trainer.Fit(train.Select(i => new TSample { UserId = i.User, ItemId = i.Item, Price = i.Price, Click = i.Clicked, Purchase = i.Converted }));
            var outputs = Predict(trainer.Network, test);   // columns: Click, Purchase (joint), PurchaseGivenClick
            return Score(test, outputs.Select(o => o[2]).ToArray(), outputs.Select(o => o[1]).ToArray());
        }
    }

    private static float[][] Predict(ModelDsl.Layers.MultiTaskNetwork network, List<Impression> test)
    {
        var ids = test.SelectMany(i => new long[] { i.User, i.Item }).ToArray();
        var prices = test.Select(i => i.Price).ToArray();
        using var outputs = network.Predict(TorchSharp.torch.tensor(ids, [test.Count, 2]), TorchSharp.torch.tensor(prices, [test.Count, 1]));
        var values = outputs.data<float>().ToArray();
        var width = network.Schema.Outputs.Count;
        return Enumerable.Range(0, test.Count).Select(n => values.AsSpan(n * width, width).ToArray()).ToArray();
    }

    private static CvrScore Score(List<Impression> test, float[] cvr, float[] ctcvr)
    {
        var clicked = Enumerable.Range(0, test.Count).Where(n => test[n].Clicked).ToArray();
        return new CvrScore(
            BinaryMetrics.ComputeAuc(cvr, test.Select(i => i.WouldConvert).ToArray()),
            test.Select((i, n) => Math.Abs(cvr[n] - i.TrueCvr)).Average(),
            cvr.Average(p => (double)p) / test.Average(i => i.TrueCvr),
            BinaryMetrics.ComputeAuc(clicked.Select(n => cvr[n]).ToArray(), clicked.Select(n => test[n].Converted).ToArray()),
            BinaryMetrics.ComputeAuc(ctcvr, test.Select(i => i.Converted).ToArray()),
            CalibrationError(cvr, test.Select(i => i.WouldConvert).ToArray()));
    }

    /// <summary>Expected calibration error over ten equal-width bins of the predicted probability.</summary>
    public static double CalibrationError(float[] predicted, bool[] outcomes)
    {
        const int bins = 10;
        var (sum, positives, count) = (new double[bins], new double[bins], new int[bins]);
        for (var n = 0; n < predicted.Length; n++)
        {
            var bin = Math.Min((int)(predicted[n] * bins), bins - 1);
            (sum[bin], positives[bin], count[bin]) = (sum[bin] + predicted[n], positives[bin] + (outcomes[n] ? 1 : 0), count[bin] + 1);
        }
        return Enumerable.Range(0, bins).Where(b => count[b] > 0).Sum(b => Math.Abs(sum[b] - positives[b])) / predicted.Length;
    }
}
