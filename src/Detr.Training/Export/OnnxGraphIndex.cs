using Detr.Training.Export.Onnx;

namespace Detr.Training.Export;

/// <summary>Who produces and who reads each value of an ONNX graph, and its initializers, for the passes that rewrite a finished export.</summary>
sealed class OnnxGraphIndex
{
    readonly Dictionary<string, NodeProto> _producers = new();
    readonly Dictionary<string, List<NodeProto>> _consumers = new();
    readonly HashSet<string> _outputs;

    public OnnxGraphIndex(GraphProto graph)
    {
        Initializers = graph.Initializer.ToDictionary(t => t.Name);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
                _producers[output] = node;
            foreach (var input in node.Input.Distinct())
                if (input.Length > 0)
                {
                    if (!_consumers.TryGetValue(input, out var list))
                        _consumers[input] = list = [];
                    list.Add(node);
                }
        }
        _outputs = graph.Output.Select(o => o.Name).ToHashSet();
        GraphInputs = graph.Input.ToDictionary(i => i.Name);
    }

    /// <summary>Initializers by name.</summary>
    public IReadOnlyDictionary<string, TensorProto> Initializers { get; }

    /// <summary>Graph inputs by name.</summary>
    public IReadOnlyDictionary<string, ValueInfoProto> GraphInputs { get; }

    /// <summary>The node computing <paramref name="value"/>; null for inputs and initializers.</summary>
    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    /// <summary>The nodes reading <paramref name="value"/>, in graph order (each once).</summary>
    public IReadOnlyList<NodeProto> Consumers(string value) => _consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>Whether <paramref name="value"/> is one of the graph's outputs.</summary>
    public bool IsGraphOutput(string value) => _outputs.Contains(value);

    /// <summary>A float32 initializer's values, or null when <paramref name="name"/> is no float32 initializer.</summary>
    public float[]? FloatInitializer(string name)
    {
        if (!Initializers.TryGetValue(name, out var tensor) || tensor.DataType != (int)TensorProto.Types.DataType.Float)
            return null;
        return tensor.FloatData.Count > 0
            ? tensor.FloatData.ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
    }
}
