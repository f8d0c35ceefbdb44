using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>Exports TorchSharp weights into ONNX initializers.</summary>
internal static class LinearExport
{
    /// <summary>A <c>Linear</c> as one Gemm: y = x·Wᵀ + b with W kept in TorchSharp's [out, in] layout (b left out without a bias).</summary>
    public static string Gemm(OnnxGraphBuilder g, string name, Linear linear, string input)
    {
        var weight = Weight(g, $"{name}.weight", linear.weight!);
        return g.Node("Gemm", linear.bias is null ? [input, weight] : [input, weight, Weight(g, $"{name}.bias", linear.bias)],
            attributes: OnnxGraphBuilder.Attribute("transB", 1L));
    }

    /// <summary>A parameter as a float initializer of the same shape.</summary>
    public static string Weight(OnnxGraphBuilder g, string name, Tensor parameter) => g.Weight(name, parameter);
}
