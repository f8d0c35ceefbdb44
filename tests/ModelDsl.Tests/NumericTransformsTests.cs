using System;
using System.Linq;
using ModelDsl.Layers;
using Xunit;
using static TorchSharp.torch;

namespace ModelDsl.Tests;

/// <summary>The Standardize statistics <see cref="NumericTransforms.Fit"/> takes from training rows.</summary>
public sealed class NumericTransformsTests
{
    /// <summary>
    /// A column that never varies keeps scale 1. Running sums of x and x² cancelled to a variance of about
    /// 1e-16 instead of 0, so its scale was about 1e8: a one-ulp difference between TorchSharp's log1p
    /// and ONNX Runtime's log(1 + x) became a different prediction (found by the end-to-end property).
    /// </summary>
    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.3f)]
    [InlineData(1.7f)]
    [InlineData(2.9f)]
    [InlineData(1234.5f)]
    public void AConstantColumnKeepsScaleOne(float value)
    {
        using var transforms = new NumericTransforms("t", [NumericTransform.Standardize, NumericTransform.Log1p | NumericTransform.Standardize]);
        transforms.Fit([Enumerable.Repeat(value, 2 * 24).ToArray()]);
        var scale = transforms.named_buffers().Single(b => b.name == "scale").buffer.data<float>().ToArray();
        Assert.Equal([1f, 1f], scale);
        using var standardized = transforms.forward(tensor(new[] { value, value }, [1, 2]));
        Assert.All(standardized.data<float>().ToArray(), x => Assert.True(Math.Abs(x) < 1e-6, $"{x}"));
    }
}
