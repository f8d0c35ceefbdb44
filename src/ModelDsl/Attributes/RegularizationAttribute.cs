using System;

namespace ModelDsl;

/// <summary>Regularization and the hidden-layer activation of the whole model.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
sealed partial class RegularizationAttribute : Attribute
{
    /// <summary>L2 penalty on every embedding table, added to the loss as <c>λ·Σw²</c>. Default 0.</summary>
    public double EmbeddingL2 { get; set; }

    /// <summary>L2 penalty on the weights (not biases) of every dense layer. Default 0.</summary>
    public double DenseL2 { get; set; }

    /// <summary>Dropout probability after each hidden layer during training. Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>Activation of every hidden layer. Default <see cref="ModelDsl.Activation.Relu"/>.</summary>
    public Activation Activation { get; set; } = Activation.Relu;
}
