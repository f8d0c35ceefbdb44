namespace ModelDsl.Metrics;

/// <summary>Accumulates prediction errors and computes RMSE, together with the RMSE of predicting the label mean.</summary>
public sealed class RegressionMetrics
{
    private double _squaredError;
    private double _absoluteError;
    private double _sum;
    private double _sumOfSquares;

    /// <summary>Number of samples seen.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one sample.</summary>
    public void Add(float prediction, float label)
    {
        var error = (double)prediction - label;
        _squaredError += error * error;
        _absoluteError += System.Math.Abs(error);
        _sum += label;
        _sumOfSquares += (double)label * label;
        Count++;
    }

    /// <summary>Root mean squared error; NaN when empty.</summary>
    public double Rmse => Count == 0 ? double.NaN : System.Math.Sqrt(_squaredError / Count);

    /// <summary>Mean absolute error; NaN when empty.</summary>
    public double Mae => Count == 0 ? double.NaN : _absoluteError / Count;

    /// <summary>RMSE of always predicting the mean label of these samples (their standard deviation): the baseline to beat.</summary>
    public double MeanBaselineRmse
    {
        get
        {
            if (Count == 0)
                return double.NaN;
            var mean = _sum / Count;
            return System.Math.Sqrt(System.Math.Max(0, _sumOfSquares / Count - mean * mean));
        }
    }
}
