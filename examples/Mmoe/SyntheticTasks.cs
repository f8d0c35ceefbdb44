using System;
using System.Collections.Generic;

namespace MmoeSynthetic;

/// <summary>One sample: the inputs, both noisy labels and the labels before noise.</summary>
public sealed record SyntheticRow(float[] X, float Y1, float Y2, double Clean1, double Clean2);

/// <summary>
/// The two regression tasks of the MMoE paper's synthetic experiment (Ma et al., KDD 2018, §3.2):
/// u₁, u₂ orthonormal in R^d; w₁ = c·u₁, w₂ = c·(p·u₁ + √(1−p²)·u₂); x ~ N(0, I);
/// y_k = w_kᵀx + Σ_{i=1..m} sin(α_i·w_kᵀx + β_i) + ε_k with ε_k ~ N(0, σ²). Both tasks share α and β,
/// so the labels differ only through w_k: at p = 1 they are equal before noise. The paper leaves c, m,
/// α and β open; the defaults are the PLE paper's (α_i, β_i ~ N(0, 1), c = 1, m = 10). σ = 0.1 reads the
/// paper's N(0, 0.01) as a variance.
/// </summary>
public sealed class SyntheticTasks
{
    private readonly double[] _w1;
    private readonly double[] _w2;
    private readonly double[] _alpha;
    private readonly double[] _beta;
    private readonly double _noise;

    /// <param name="p">cos(w₁, w₂), the paper's task-correlation knob; the label correlation is not p (see <see cref="LabelCorrelation"/>).</param>
    /// <param name="seed">Seed of u₁, u₂, α and β: one seed is one draw of the task pair.</param>
    /// <param name="dimension">d, the number of inputs; 100 in the paper's §5.1.</param>
    /// <param name="scale">c, the norm of w_k: the spread of w_kᵀx and so the frequency of the sines over x.</param>
    /// <param name="sines">m, the number of sine terms.</param>
    /// <param name="noise">σ, the label noise's standard deviation.</param>
    public SyntheticTasks(double p, int seed, int dimension = 100, double scale = 1, int sines = 10, double noise = 0.1)
    {
        if (p is < -1 or > 1)
            throw new ArgumentOutOfRangeException(nameof(p), p, "p is a cosine: between -1 and 1.");
        var random = new Random(seed);
        var u1 = Unit(Gaussian(random, dimension));
        var v = Gaussian(random, dimension);
        var along = Dot(v, u1);
        for (var j = 0; j < dimension; j++)
            v[j] -= along * u1[j];
        var u2 = Unit(v);
        var orthogonal = Math.Sqrt(1 - p * p);
        _w1 = new double[dimension];
        _w2 = new double[dimension];
        for (var j = 0; j < dimension; j++)
        {
            _w1[j] = scale * u1[j];
            _w2[j] = scale * (p * u1[j] + orthogonal * u2[j]);
        }
        _alpha = Gaussian(random, sines);
        _beta = Gaussian(random, sines);
        _noise = noise;
        Dimension = dimension;
    }

    /// <summary>d, the number of inputs.</summary>
    public int Dimension { get; }

    /// <summary>cos(w₁, w₂) as built; equals p up to rounding.</summary>
    public double Cosine => Dot(_w1, _w2) / Math.Sqrt(Dot(_w1, _w1) * Dot(_w2, _w2));

    /// <summary>Draws samples; different <paramref name="seed"/>s give independent sets of the same tasks.</summary>
    public SyntheticRow[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new SyntheticRow[count];
        var x = new double[Dimension];
        for (var n = 0; n < count; n++)
        {
            var features = new float[Dimension];
            for (var j = 0; j < Dimension; j++)
            {
                features[j] = (float)Normal(random);
                x[j] = features[j];
            }
            double clean1 = Label(_w1, x), clean2 = Label(_w2, x);
            rows[n] = new SyntheticRow(features, (float)(clean1 + _noise * Normal(random)), (float)(clean2 + _noise * Normal(random)), clean1, clean2);
        }
        return rows;
    }

    /// <summary>Pearson correlation of the two labels over <paramref name="rows"/>, before and after noise.</summary>
    public static (double BeforeNoise, double AfterNoise) LabelCorrelation(IReadOnlyList<SyntheticRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var clean1 = new double[rows.Count];
        var clean2 = new double[rows.Count];
        var noisy1 = new double[rows.Count];
        var noisy2 = new double[rows.Count];
        for (var n = 0; n < rows.Count; n++)
            (clean1[n], clean2[n], noisy1[n], noisy2[n]) = (rows[n].Clean1, rows[n].Clean2, rows[n].Y1, rows[n].Y2);
        return (Pearson(clean1, clean2), Pearson(noisy1, noisy2));
    }

    /// <summary>Variance of each noisy label over <paramref name="rows"/>: the MSE of predicting the mean.</summary>
    public static (double Y1, double Y2) LabelVariance(IReadOnlyList<SyntheticRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var y1 = new double[rows.Count];
        var y2 = new double[rows.Count];
        for (var n = 0; n < rows.Count; n++)
            (y1[n], y2[n]) = (rows[n].Y1, rows[n].Y2);
        return (Variance(y1), Variance(y2));
    }

    private double Label(double[] w, double[] x)
    {
        var projection = Dot(w, x);
        var y = projection;
        for (var i = 0; i < _alpha.Length; i++)
            y += Math.Sin(_alpha[i] * projection + _beta[i]);
        return y;
    }

    private static double Pearson(double[] a, double[] b)
    {
        double meanA = Mean(a), meanB = Mean(b), ab = 0, aa = 0, bb = 0;
        for (var n = 0; n < a.Length; n++)
        {
            ab += (a[n] - meanA) * (b[n] - meanB);
            aa += (a[n] - meanA) * (a[n] - meanA);
            bb += (b[n] - meanB) * (b[n] - meanB);
        }
        return ab / Math.Sqrt(aa * bb);
    }

    private static double Variance(double[] a)
    {
        var mean = Mean(a);
        double sum = 0;
        foreach (var v in a)
            sum += (v - mean) * (v - mean);
        return sum / a.Length;
    }

    private static double Mean(double[] a)
    {
        double sum = 0;
        foreach (var v in a)
            sum += v;
        return sum / a.Length;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var j = 0; j < a.Length; j++)
            sum += a[j] * b[j];
        return sum;
    }

    private static double[] Unit(double[] v)
    {
        var norm = Math.Sqrt(Dot(v, v));
        for (var j = 0; j < v.Length; j++)
            v[j] /= norm;
        return v;
    }

    private static double[] Gaussian(Random random, int count)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++)
            values[i] = Normal(random);
        return values;
    }

    // Box–Muller; 1 − U keeps the logarithm finite.
    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
