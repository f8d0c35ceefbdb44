using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using ModelDsl.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelDsl.Layers;

/// <summary>
/// The categorical features of one embedding width, looked up in one concatenated table: each
/// segment (a feature's vocabulary, or a shared <c>Group</c>'s) starts at its own offset, so the whole
/// group is a single gather. Sequence features take <c>MaxLength</c> columns padded with −1; padding is
/// masked out of the pooled vector, and an empty sequence pools to zeros.
/// Input: the model's int64 categorical columns [batch, columns]; output [batch, slots·dim].
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public sealed class EmbeddingGroup : nn.Module<Tensor, Tensor>
{
    private readonly Embedding table;
    private readonly Tensor offsets;
    private readonly long[] _offsets;
    private readonly EmbeddingSlot[] _slots;
    private readonly int[] _slotColumns;
    private readonly bool _hasSequences;
    private readonly int _firstColumn;
    private readonly int _totalColumns;

    /// <summary>Creates a table in which every feature is a single id with a segment of its own.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="firstColumn">The group's first column in the categorical input; its features are contiguous.</param>
    /// <param name="totalColumns">Number of columns of the categorical input.</param>
    /// <param name="dim">Embedding width.</param>
    /// <param name="vocabularies">Vocabulary of each feature in the group, in column order.</param>
    public EmbeddingGroup(string name, int firstColumn, int totalColumns, int dim, IReadOnlyList<int> vocabularies)
        : this(name, firstColumn, totalColumns, dim, vocabularies, Enumerable.Range(0, vocabularies?.Count ?? 0).Select(s => new EmbeddingSlot(s)).ToArray())
    {
    }

    /// <summary>Creates the table.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="firstColumn">The group's first column in the categorical input; its features are contiguous.</param>
    /// <param name="totalColumns">Number of columns of the categorical input.</param>
    /// <param name="dim">Embedding width.</param>
    /// <param name="segments">Rows of each segment of the table (a vocabulary, plus one for a reserved out-of-vocabulary row).</param>
    /// <param name="slots">The features in column order: which segment each looks up, how many columns it takes and how a sequence pools.</param>
    public EmbeddingGroup(string name, int firstColumn, int totalColumns, int dim, IReadOnlyList<int> segments, IReadOnlyList<EmbeddingSlot> slots) : base(name)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(slots);
        _firstColumn = firstColumn;
        _totalColumns = totalColumns;
        Dim = dim;
        _slots = slots.ToArray();
        var segmentOffsets = new long[segments.Count];
        for (var i = 1; i < segmentOffsets.Length; i++)
            segmentOffsets[i] = segmentOffsets[i - 1] + segments[i - 1];
        _slotColumns = new int[_slots.Length];
        var columns = new List<long>();
        foreach (var (slot, i) in _slots.Select((s, i) => (s, i)))
        {
            _slotColumns[i] = columns.Count;
            columns.AddRange(Enumerable.Repeat(segmentOffsets[slot.Segment], slot.Length));
        }
        _offsets = columns.ToArray();
        _hasSequences = _slots.Any(s => s.Pooling is not null);
        Segments = segments.ToArray();
        // Row-sparse gradients: a step touches only the rows its batch looks up (see Optimizers).
        table = nn.Embedding(segmentOffsets[^1] + segments[^1], dim, sparse: true);
        // Small uniform init, as Keras does for embeddings: N(0, 1) rows swamp the dense inputs.
        using (no_grad())
            nn.init.uniform_(table.weight!, -0.05, 0.05);
        offsets = tensor(_offsets);
        RegisterComponents();
    }

    /// <summary>Embedding width.</summary>
    public int Dim { get; }

    /// <summary>Width of the output: slots · dim.</summary>
    public int OutputWidth => _slots.Length * Dim;

    /// <summary>The group's first column in the categorical input.</summary>
    internal int FirstColumn => _firstColumn;

    /// <summary>Rows of each segment of the table.</summary>
    internal IReadOnlyList<int> Segments { get; }

    /// <summary>The features in column order.</summary>
    internal IReadOnlyList<EmbeddingSlot> Slots => _slots;

    /// <summary>Whether a feature is a sequence (pooled over several columns).</summary>
    internal bool HasSequences => _hasSequences;

    /// <summary>Per column of the group, the first row of its segment: a column's id plus this is its row of <see cref="Weight"/>.</summary>
    internal ReadOnlySpan<long> RowOffsets => _offsets;

    /// <summary>The table's weight: every segment's rows, in segment order.</summary>
    public Tensor Weight => table.weight!;

    /// <summary><see cref="Weight"/> as the parameter an optimizer updates.</summary>
    internal Parameter Table => table.weight!;

    /// <inheritdoc/>
    public override Tensor forward(Tensor categorical)
    {
        var (rows, mask) = Lookup(categorical);
        if (mask is null)
            return rows.reshape(-1, OutputWidth);
        var parts = new List<Tensor>();
        foreach (var (start, count) in ScalarRuns())
            parts.Add(rows.narrow(1, _slotColumns[start], count).reshape(-1, count * Dim));
        var outputs = new Tensor[_slots.Length];
        for (var s = 0; s < _slots.Length; s++)
            outputs[s] = _slots[s].Pooling is { } pooling
                ? Pool(rows.narrow(1, _slotColumns[s], _slots[s].Length), mask.narrow(1, _slotColumns[s], _slots[s].Length), pooling)
                : null!;
        return cat(Assemble(parts, outputs), 1);
    }

    /// <summary>
    /// Σ‖row‖² over the rows a batch looks up (once per lookup; padding excluded): the embedding L2
    /// penalty of one batch, which keeps the table's gradient row-sparse.
    /// </summary>
    public Tensor LookedUpSquares(Tensor categorical)
    {
        ArgumentNullException.ThrowIfNull(categorical);
        return Lookup(categorical).Rows.square().sum();
    }

    /// <summary>The group's rows [batch, columns, dim], zero for padding, and with sequences the mask of real (not padding) columns.</summary>
    private (Tensor Rows, Tensor? Mask) Lookup(Tensor categorical)
    {
        var ids = _offsets.Length == _totalColumns ? categorical : categorical.narrow(1, _firstColumn, _offsets.Length);
        if (!_hasSequences)
            return (table.forward(ids + offsets), null);
        // Only real ids are looked up, and padding gets zero rows: a lookup of padding would put its row
        // in the table's sparse gradient, and lazy Adam would move that row (a real id) on every batch.
        var mask = ids.ge(0);
        var real = table.forward((ids + offsets).masked_select(mask));
        var rows = real.new_zeros(ids.shape[0], ids.shape[1], Dim).masked_scatter(mask.unsqueeze(2), real);
        return (rows, mask);
    }

    private static Tensor Pool(Tensor rows, Tensor mask, Pooling pooling)
    {
        var present = mask.unsqueeze(2);
        var count = present.sum(1, type: ScalarType.Float32);
        return pooling switch
        {
            Pooling.Sum => rows.sum(1),
            Pooling.Mean => rows.sum(1) / count.clamp_min(1),
            _ => rows.masked_fill(present.logical_not(), float.NegativeInfinity).amax(1).masked_fill(count.eq(0), 0),
        };
    }

    /// <summary>Adds the lookup to an ONNX graph and returns its [batch, slots·dim] output value.</summary>
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
        var weight = LinearExport.Weight(g, $"{name}.table", table.weight!);
        var offsetsConstant = g.Constant($"{name}.offsets", _offsets, _offsets.Length);
        var gatherAxis = OnnxGraphBuilder.Attribute("axis", 0L);
        if (!_hasSequences)
        {
            var all = g.Node("Gather", [weight, g.Node("Add", [ids, offsetsConstant])], attributes: gatherAxis);
            return g.Node("Reshape", [all, g.Constant($"{name}.shape", [-1, OutputWidth], 2)]);
        }
        var mask = g.Node("GreaterOrEqual", [ids, g.ConstantOnce("zero_i64", [0])]);
        var shifted = g.Node("Add", [g.Node("Max", [ids, g.ConstantOnce("zero_i64", [0])]), offsetsConstant]);
        var rows = g.Node("Gather", [weight, shifted], attributes: gatherAxis);
        var parts = new List<string>();
        foreach (var (start, count) in ScalarRuns())
            parts.Add(g.Reshape(SliceColumns(g, rows, _slotColumns[start], count), count * Dim));
        var outputs = new string[_slots.Length];
        for (var s = 0; s < _slots.Length; s++)
            if (_slots[s].Pooling is { } pooling)
                outputs[s] = ExportPool(g, SliceColumns(g, rows, _slotColumns[s], _slots[s].Length),
                    g.Node("Unsqueeze", [SliceColumns(g, mask, _slotColumns[s], _slots[s].Length), g.ConstantOnce("axes_2", [2])]), pooling);
        return g.Concat(Assemble(parts, outputs), axis: 1);
    }

    private static string ExportPool(OnnxGraphBuilder g, string rows, string present, Pooling pooling)
    {
        var axes = g.ConstantOnce("axes_1", [1]);
        var keepDims = OnnxGraphBuilder.Attribute("keepdims", 0L);
        var presentFloat = g.Node("Cast", [present], attributes: OnnxGraphBuilder.Attribute("to", (long)global::Onnx.TensorProto.Types.DataType.Float));
        var count = g.Node("ReduceSum", [presentFloat, axes], attributes: keepDims);
        if (pooling == Pooling.Max)
        {
            var masked = g.Node("Where", [present, rows, g.FloatOnce("negative_infinity", float.NegativeInfinity)]);
            var max = g.Node("ReduceMax", [masked, axes], attributes: keepDims);
            return g.Node("Where", [g.Node("Greater", [count, g.FloatOnce("zero_f", 0)]), max, g.FloatOnce("zero_f", 0)]);
        }
        var sum = g.Node("ReduceSum", [g.Mul(rows, presentFloat), axes], attributes: keepDims);
        return pooling == Pooling.Sum ? sum : g.Node("Div", [sum, g.Node("Max", [count, g.FloatOnce("one_f", 1)])]);
    }

    private static string SliceColumns(OnnxGraphBuilder g, string input, int start, int count) =>
        g.Node("Slice", [input, g.ConstantOnce($"start_{start}", [start]), g.ConstantOnce($"start_{start + count}", [start + count]), g.ConstantOnce("axes_1", [1])]);

    /// <summary>Runs of consecutive single-id slots: each run is one narrow and reshape.</summary>
    private IEnumerable<(int Start, int Count)> ScalarRuns()
    {
        for (var s = 0; s < _slots.Length;)
        {
            if (_slots[s].Pooling is not null)
            {
                s++;
                continue;
            }
            var start = s;
            while (s < _slots.Length && _slots[s].Pooling is null)
                s++;
            yield return (start, s - start);
        }
    }

    /// <summary>Puts the scalar runs and the pooled sequences back in slot order.</summary>
    private T[] Assemble<T>(List<T> runs, T[] pooled)
    {
        var result = new List<T>();
        var run = 0;
        for (var s = 0; s < _slots.Length;)
        {
            if (_slots[s].Pooling is null)
            {
                result.Add(runs[run++]);
                while (s < _slots.Length && _slots[s].Pooling is null)
                    s++;
            }
            else
                result.Add(pooled[s++]);
        }
        return result.ToArray();
    }
}

/// <summary>One feature of an <see cref="EmbeddingGroup"/>.</summary>
/// <param name="Segment">The table segment it looks up.</param>
/// <param name="Length">Columns it takes: 1 for an id, MaxLength for a sequence.</param>
/// <param name="Pooling">How a sequence pools its embeddings; null for a single id.</param>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; see docs/architecture.md
public readonly record struct EmbeddingSlot(int Segment, int Length = 1, Pooling? Pooling = null);
