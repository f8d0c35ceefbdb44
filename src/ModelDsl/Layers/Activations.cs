using System;
using ModelDsl.Onnx;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>The hidden-layer activations, in TorchSharp and as ONNX nodes, side by side so they stay equal.</summary>
internal static class Activations
{
    /// <summary>Leaky ReLU's slope below 0 (PyTorch's default).</summary>
    public const float LeakySlope = 0.01f;

    public static Tensor Apply(Tensor x, Activation activation) => activation switch
    {
        Activation.Relu => nn.functional.relu(x),
        Activation.LeakyRelu => nn.functional.leaky_relu(x, LeakySlope),
        Activation.Tanh => nn.functional.tanh(x),
        Activation.Gelu => nn.functional.gelu(x),
        Activation.Swish => nn.functional.silu(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    public static string Export(OnnxGraphBuilder g, string x, Activation activation) => activation switch
    {
        Activation.Relu => g.Node("Relu", [x]),
        Activation.LeakyRelu => g.Node("LeakyRelu", [x], attributes: OnnxGraphBuilder.Attribute("alpha", (float)LeakySlope)),
        Activation.Tanh => g.Node("Tanh", [x]),
        Activation.Gelu => g.Node("Gelu", [x]),
        Activation.Swish => g.Mul(x, g.Sigmoid(x)),   // opset 20 has no Swish node
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };
}
