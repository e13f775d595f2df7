using Detr.Training.Export.Onnx;
using Google.Protobuf;

namespace Detr.Training.Export;

/// <summary>
/// Assembles an ONNX graph node by node: unique value names, weights as initializers, symbolic dimensions for the
/// dynamic axes. The DETR exporter describes the network with it; the result is an ordinary ONNX <c>ModelProto</c>.
/// </summary>
sealed class OnnxGraphBuilder
{
    readonly GraphProto _graph = new() { Name = "detr" };
    readonly Dictionary<string, int> _nameCounts = new();
    readonly Dictionary<long, string> _int64Scalars = new();
    readonly Dictionary<string, string> _int64Vectors = new();
    readonly Dictionary<string, DetrModelParts> _nodeParts = new();
    DetrModelParts _part;

    /// <summary>The part each node was added in (by node name); nodes added outside any part are absent.</summary>
    public IReadOnlyDictionary<string, DetrModelParts> NodeParts => _nodeParts;

    /// <summary>Nodes added until the returned scope is disposed belong to <paramref name="part"/> (scopes nest).</summary>
    public PartScope InPart(DetrModelParts part)
    {
        var scope = new PartScope(this, _part);
        _part = part;
        return scope;
    }

    /// <summary>Restores the part that was current when <see cref="InPart"/> was called.</summary>
    public readonly struct PartScope(OnnxGraphBuilder graph, DetrModelParts previous) : IDisposable
    {
        /// <summary>Ends the part.</summary>
        public void Dispose() => graph._part = previous;
    }

    /// <summary>A name not used before, derived from <paramref name="hint"/>.</summary>
    public string UniqueName(string hint)
    {
        int count = _nameCounts.TryGetValue(hint, out int seen) ? seen + 1 : 0;
        _nameCounts[hint] = count;
        return count == 0 ? hint : $"{hint}_{count}";
    }

    /// <summary>Declares a graph input; a dimension is a number (fixed) or a string (symbolic, dynamic).</summary>
    public string Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares a graph output produced by an existing value, renaming it through Identity.</summary>
    public void Output(string value, string name, TensorProto.Types.DataType type, params object[] dims)
    {
        Node("Identity", [value], [name]);
        _graph.Output.Add(ValueInfo(name, type, dims));
    }

    /// <summary>A float32 weight as an initializer (raw little-endian bytes).</summary>
    public string Initializer(string hint, ReadOnlySpan<float> values, params long[] dims)
    {
        long expected = dims.Aggregate(1L, (a, b) => a * b);
        if (expected != values.Length)
            throw new ArgumentException($"Initializer '{hint}' has {values.Length} values for shape [{string.Join(",", dims)}].");
        var tensor = new TensorProto { Name = UniqueName(hint), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>An int64 vector constant (shapes, axes), shared between uses.</summary>
    public string Int64s(params long[] values)
    {
        string key = string.Join(",", values);
        if (_int64Vectors.TryGetValue(key, out var existing))
            return existing;
        var tensor = new TensorProto { Name = UniqueName("const_i64"), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return _int64Vectors[key] = tensor.Name;
    }

    /// <summary>An int64 scalar constant, shared between uses.</summary>
    public string Int64(long value)
    {
        if (_int64Scalars.TryGetValue(value, out var existing))
            return existing;
        var tensor = new TensorProto { Name = UniqueName("const_scalar"), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Int64Data.Add(value);
        _graph.Initializer.Add(tensor);
        return _int64Scalars[value] = tensor.Name;
    }

    /// <summary>A float32 scalar constant.</summary>
    public string Float(float value) => Initializer("const_f32", [value]);

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, params (string Name, object Value)[] attributes) =>
        Node(opType, inputs, [UniqueName(opType.ToLowerInvariant())], attributes)[0];

    /// <summary>Adds a node with the given outputs.</summary>
    public IReadOnlyList<string> Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
        params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = UniqueName("n_" + opType) };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (name, value) in attributes)
            node.Attribute.Add(Attribute(name, value));
        _graph.Node.Add(node);
        if (_part != DetrModelParts.None)
            _nodeParts[node.Name] = _part;
        return outputs;
    }

    /// <summary>The finished model: IR 8, default-domain opset <paramref name="opset"/>, with metadata properties.</summary>
    public ModelProto Build(int opset, IReadOnlyDictionary<string, string> metadata, string producerVersion)
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Detr.Training",
            ProducerVersion = producerVersion,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int value => new TensorShapeProto.Types.Dimension { DimValue = value },
                long value => new TensorShapeProto.Types.Dimension { DimValue = value },
                _ => throw new ArgumentException($"Dimension {dim} of '{name}' must be a number or a symbol name."),
            });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    static AttributeProto Attribute(string name, object value) => value switch
    {
        int i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
        long i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
        float f => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = f },
        string s => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(s) },
        long[] ints => Ints(name, ints),
        int[] ints => Ints(name, ints.Select(v => (long)v).ToArray()),
        float[] floats => Floats(name, floats),
        TensorProto tensor => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = tensor },
        _ => throw new ArgumentException($"Unsupported attribute value for '{name}': {value.GetType().Name}."),
    };

    static AttributeProto Ints(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    static AttributeProto Floats(string name, float[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }
}
