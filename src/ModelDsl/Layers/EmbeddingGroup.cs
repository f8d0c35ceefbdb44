using System;
using System.Collections.Generic;
using System.Linq;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// The categorical features of one embedding width, looked up in one concatenated table: each
/// feature's ids are shifted by its offset, so the whole group is a single gather.
/// Input: the model's int64 categorical columns [batch, columns]; output [batch, features·dim].
/// </summary>
public sealed class EmbeddingGroup : nn.Module<Tensor, Tensor>
{
    private readonly Embedding table;
    private readonly Tensor offsets;
    private readonly long[] _offsets;
    private readonly int _firstColumn;
    private readonly int _totalColumns;

    /// <summary>Creates the table.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="firstColumn">The group's first column in the categorical input; its features are contiguous.</param>
    /// <param name="totalColumns">Number of columns of the categorical input.</param>
    /// <param name="dim">Embedding width.</param>
    /// <param name="vocabularies">Vocabulary of each feature in the group, in column order.</param>
    public EmbeddingGroup(string name, int firstColumn, int totalColumns, int dim, IReadOnlyList<int> vocabularies) : base(name)
    {
        ArgumentNullException.ThrowIfNull(vocabularies);
        _firstColumn = firstColumn;
        _totalColumns = totalColumns;
        Dim = dim;
        _offsets = new long[vocabularies.Count];
        for (var i = 1; i < _offsets.Length; i++)
            _offsets[i] = _offsets[i - 1] + vocabularies[i - 1];
        // Row-sparse gradients: a step touches only the rows its batch looks up (see Optimizers).
        table = nn.Embedding(_offsets[^1] + vocabularies[^1], dim, sparse: true);
        // Small uniform init, as Keras does for embeddings: N(0, 1) rows swamp the dense inputs.
        using (no_grad())
            nn.init.uniform_(table.weight!, -0.05, 0.05);
        offsets = tensor(_offsets);
        RegisterComponents();
    }

    /// <summary>Embedding width.</summary>
    public int Dim { get; }

    /// <summary>Width of the output: features · dim.</summary>
    public int OutputWidth => _offsets.Length * Dim;

    /// <summary>The table's weight, for regularization.</summary>
    public Tensor Weight => table.weight!;

    /// <inheritdoc/>
    public override Tensor forward(Tensor categorical)
    {
        var ids = _offsets.Length == _totalColumns ? categorical : categorical.narrow(1, _firstColumn, _offsets.Length);
        return table.forward(ids + offsets).reshape(-1, OutputWidth);
    }

    /// <summary>Adds the lookup to an ONNX graph and returns its [batch, features·dim] output value.</summary>
    public string Export(OnnxGraphBuilder g, string categorical)
    {
        ArgumentNullException.ThrowIfNull(g);
        var name = GetName();
        var ids = _offsets.Length == _totalColumns
            ? categorical
            : g.Node("Slice", [categorical,
                g.Constant($"{name}.start", [_firstColumn], 1),
                g.Constant($"{name}.end", [_firstColumn + _offsets.Length], 1),
                g.ConstantOnce("axes_1", [1])]);
        var shifted = g.Node("Add", [ids, g.Constant($"{name}.offsets", _offsets, _offsets.Length)]);
        var rows = g.Node("Gather", [LinearExport.Weight(g, $"{name}.table", table.weight!), shifted], attributes: OnnxGraphBuilder.Attribute("axis", 0L));
        return g.Node("Reshape", [rows, g.Constant($"{name}.shape", [-1, OutputWidth], 2)]);
    }
}
