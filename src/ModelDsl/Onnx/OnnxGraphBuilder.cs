using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace ModelDsl.Onnx;

/// <summary>
/// Builds an ONNX graph over the ONNX protobuf types: inputs with a symbolic batch dimension, weights
/// as raw-data initializers, nodes with unique value names. Layers export themselves through it, so
/// the exported graph mirrors the TorchSharp modules one to one.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The ai.onnx opset of exported models (Gelu needs 20).</summary>
    public const int Opset = 20;

    /// <summary>The ai.onnx.ml opset of exported models that use it (LabelEncoder, for learned vocabularies).</summary>
    public const int MlOpset = 2;

    /// <summary>The domain of ONNX's classical machine-learning operators.</summary>
    public const string MlDomain = "ai.onnx.ml";

    /// <summary>ONNX IR version matching <see cref="Opset"/>.</summary>
    public const int IrVersion = 9;

    /// <summary>Name of the symbolic batch dimension.</summary>
    public const string BatchDim = "batch";

    private readonly GraphProto _graph = new() { Name = "modeldsl" };
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<ExternalTensor> _external = [];
    private readonly long _externalDataThreshold;
    private readonly long _inlineLimit;
    private long _inlineBytes;
    private int _nodeCount;
    private bool _usesMl;

    /// <summary>Creates a builder that holds every weight inline.</summary>
    public OnnxGraphBuilder() : this(long.MaxValue, long.MaxValue) { }

    /// <summary>
    /// Creates a builder that leaves for an external data file each weight of at least <paramref name="externalDataThreshold"/>
    /// bytes, and each that would take the weights held inline past <paramref name="inlineLimit"/> bytes: several tables
    /// under the threshold must not add up past protobuf's 2 GB either.
    /// </summary>
    internal OnnxGraphBuilder(long externalDataThreshold, long inlineLimit = 3L << 29) =>
        (_externalDataThreshold, _inlineLimit) = (externalDataThreshold, inlineLimit);

    /// <summary>The weights left for the external data file, in graph order.</summary>
    internal IReadOnlyList<ExternalTensor> External => _external;

    /// <summary>Declares a graph input of shape [batch, columns].</summary>
    public string Input(string name, TensorProto.Types.DataType type, int columns)
    {
        _graph.Input.Add(ValueInfo(name, type, columns));
        return Claim(name);
    }

    /// <summary>Declares a float graph output produced by node output <paramref name="value"/>: [batch], or [batch, <paramref name="columns"/>] when given.</summary>
    public void Output(string name, string value, int? columns = null)
    {
        Claim(name);
        Node("Identity", [value], name);
        _graph.Output.Add(ValueInfo(name, TensorProto.Types.DataType.Float, columns));
    }

    /// <summary>Adds a float weight tensor.</summary>
    public string Weight(string name, ReadOnlySpan<float> values, params long[] dims) =>
        Initializer(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), dims);

    /// <summary>
    /// Adds a float weight tensor of a TorchSharp tensor's shape and values: copied inline, or, from the external
    /// data threshold on, kept as a view of the tensor's memory until the file is written.
    /// </summary>
    public string Weight(string name, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.dtype != ScalarType.Float32)
            throw new ArgumentException($"ONNX weight '{name}' must be float32, not {values.dtype}.", nameof(values));
        var data = values.detach().cpu().contiguous();
        var bytes = data.NumberOfElements * data.ElementSize;
        if (bytes < _externalDataThreshold && _inlineBytes + bytes <= _inlineLimit)
        {
            _inlineBytes += bytes;
            using (data)
            {
                if (bytes > Array.MaxLength)
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"ONNX weight '{name}' is {bytes:N0} bytes, over protobuf's 2 GB limit for a model held in memory; ExportOnnx writes it to an external data file."));
                return Initializer(name, TensorProto.Types.DataType.Float, data.bytes, data.shape);
            }
        }
        var tensor = new TensorProto { Name = Claim(name), DataType = (int)TensorProto.Types.DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.AddRange(data.shape);
        _graph.Initializer.Add(tensor);
        _external.Add(new ExternalTensor(tensor, data));
        return name;
    }

    /// <summary>Adds an int64 constant tensor.</summary>
    public string Constant(string name, ReadOnlySpan<long> values, params long[] dims) =>
        Initializer(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values), dims);

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string op, IReadOnlyList<string> inputs, string? output = null, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{_nodeCount++}" };
        node.Input.AddRange(inputs);
        output ??= Claim($"{op.ToLowerInvariant()}_{_nodeCount}");
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    /// <summary>Adds a node of the ai.onnx.ml domain with one output, which the model then imports.</summary>
    public string MlNode(string op, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
    {
        var output = Node(op, inputs, attributes: attributes);
        _graph.Node[^1].Domain = MlDomain;
        _usesMl = true;
        return output;
    }

    /// <summary>Splits axis 1 into consecutive parts of <paramref name="widths"/> columns, in one node; a single part is the input.</summary>
    public IReadOnlyList<string> SplitColumns(string input, IReadOnlyList<long> widths)
    {
        if (widths.Count == 1)
            return [input];
        var node = new NodeProto { OpType = "Split", Name = $"Split_{_nodeCount++}" };
        node.Input.AddRange([input, ConstantOnce("widths_" + string.Join("_", widths), widths.ToArray())]);
        var outputs = widths.Select((_, i) => Claim(string.Create(CultureInfo.InvariantCulture, $"split_{_nodeCount}.{i}"))).ToArray();
        node.Output.AddRange(outputs);
        node.Attribute.Add(Attribute("axis", 1L));
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>An attribute of integers.</summary>
    public static AttributeProto Attribute(string name, IEnumerable<long> values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    /// <summary>An attribute of strings, UTF-8 encoded.</summary>
    public static AttributeProto Attribute(string name, IEnumerable<string> values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Strings, Strings = { values.Select(ByteString.CopyFromUtf8) } };

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Attribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Attribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>Concatenates along <paramref name="axis"/>; a single input passes through.</summary>
    public string Concat(IReadOnlyList<string> inputs, int axis) =>
        inputs.Count == 1 ? inputs[0] : Node("Concat", inputs, attributes: Attribute("axis", axis));

    /// <summary>Takes entry <paramref name="index"/> of axis 1, dropping the axis: [batch, n, …] gives [batch, …].</summary>
    public string Select(string input, int index)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"index_{index}");
        return Node("Gather", [input, _names.Contains(name) ? name : Constant(name, [index])], attributes: Attribute("axis", 1L));
    }

    /// <summary>Columns <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> of axis 1: [batch, n] gives [batch, count].</summary>
    public string Columns(string input, int start, int count) =>
        Node("Slice", [input, ColumnIndex(start), ColumnIndex(start + count), ConstantOnce("axis_1", [1])]);

    private string ColumnIndex(int column) => ConstantOnce(string.Create(CultureInfo.InvariantCulture, $"column_{column}"), [column]);

    /// <summary>Logistic sigmoid.</summary>
    public string Sigmoid(string input) => Node("Sigmoid", [input]);

    /// <summary>Element-wise product.</summary>
    public string Mul(string a, string b) => Node("Mul", [a, b]);

    /// <summary>Element-wise exponential.</summary>
    public string Exp(string input) => Node("Exp", [input]);

    /// <summary>Softmax over the last axis.</summary>
    public string Softmax(string input) => Node("Softmax", [input], attributes: Attribute("axis", -1L));

    /// <summary>Reshapes to [batch, <paramref name="dims"/>…] (the batch dimension is inferred).</summary>
    public string Reshape(string input, params long[] dims)
    {
        var shape = new long[dims.Length + 1];
        shape[0] = -1;
        dims.CopyTo(shape, 1);
        return Node("Reshape", [input, ConstantOnce("shape_" + string.Join("_", dims), shape)]);
    }

    /// <summary>Swaps the first two axes of a rank-3 tensor.</summary>
    public string SwapFirstAxes(string input) =>
        Node("Transpose", [input], attributes: new AttributeProto
        {
            Name = "perm",
            Type = AttributeProto.Types.AttributeType.Ints,
            Ints = { 1, 0, 2 },
        });

    /// <summary>An int64 constant shared by every node that asks for it by the same name.</summary>
    public string ConstantOnce(string name, ReadOnlySpan<long> values) =>
        _names.Contains(name) ? name : Constant(name, values, values.Length);

    /// <summary>A float constant of shape [1], shared by every node that asks for it by the same name; broadcasts against any tensor.</summary>
    public string FloatOnce(string name, float value) =>
        _names.Contains(name) ? name : Weight(name, [value], 1);

    /// <summary>Returns the finished model with the given metadata.</summary>
    public ModelProto Build(IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "ModelDsl",
            ProducerVersion = ModelSchema.LibraryVersion,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        if (_usesMl)
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MlDomain, Version = MlOpset });
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private string Initializer(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> data, long[] dims)
    {
        var tensor = new TensorProto { Name = Claim(name), DataType = (int)type, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    private string Claim(string name) =>
        _names.Add(name) ? name : throw new InvalidOperationException(
            string.Create(CultureInfo.InvariantCulture, $"ONNX value name '{name}' is used twice."));

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, int? columns)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDim });
        if (columns is { } c)
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = c });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
