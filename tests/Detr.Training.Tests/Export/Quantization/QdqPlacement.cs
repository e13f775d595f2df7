using System.Runtime.InteropServices;
using Detr.Training.Export.Onnx;

namespace Detr.Training.Tests.Export.Quantization;

/// <summary>Reads where a QDQ model's quantization is: which node reads what through a DequantizeLinear, and its int8 weights.</summary>
sealed class QdqPlacement(GraphProto graph)
{
    readonly Dictionary<string, NodeProto> _producers = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
    readonly Dictionary<string, TensorProto> _initializers = graph.Initializer.ToDictionary(t => t.Name);

    NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    /// <summary>Whether input <paramref name="input"/> of <paramref name="node"/> comes from a DequantizeLinear.</summary>
    public bool ReadsDequantized(NodeProto node, int input) => Producer(node.Input[input]) is { OpType: "DequantizeLinear" };

    public bool ReadsAnyDequantized(NodeProto node) => Enumerable.Range(0, node.Input.Count).Any(i => ReadsDequantized(node, i));

    public bool HasConstantWeight(NodeProto node) => _initializers.ContainsKey(node.Input[1]) || ReadsDequantized(node, 1) && _initializers.ContainsKey(Producer(node.Input[1])!.Input[0]);

    /// <summary>The name of the float weight a Conv/MatMul was exported with (its int8 initializer's name without "_int8").</summary>
    public string WeightName(NodeProto node) =>
        ReadsDequantized(node, 1) ? Producer(node.Input[1])!.Input[0].Replace("_int8", "") : node.Input[1];

    /// <summary>The float weights that were replaced by int8 ones.</summary>
    public IEnumerable<string> QuantizedWeights() =>
        graph.Node.Where(n => n.OpType == "DequantizeLinear" && _initializers.TryGetValue(n.Input[0], out var t) && t.DataType == (int)TensorProto.Types.DataType.Int8)
            .Select(n => n.Input[0].Replace("_int8", ""));

    /// <summary>The node computing each quantized activation (null for a graph input).</summary>
    public IEnumerable<NodeProto?> QuantizedActivationProducers() =>
        graph.Node.Where(n => n.OpType == "QuantizeLinear").Select(n => Producer(n.Input[0]));

    /// <summary>Asserts the node's weight is int8, symmetric (zero points 0, values in ±127) with one scale per output channel.</summary>
    public void AssertInt8PerChannelWeight(NodeProto node, int axis)
    {
        Assert.True(ReadsDequantized(node, 1), $"{node.Name} reads a float weight");
        var dequantize = Producer(node.Input[1])!;
        var weight = _initializers[dequantize.Input[0]];
        var scale = _initializers[dequantize.Input[1]];
        var zeroPoint = _initializers[dequantize.Input[2]];
        Assert.Equal((int)TensorProto.Types.DataType.Int8, weight.DataType);
        Assert.Equal([weight.Dims[axis]], scale.Dims);
        Assert.Equal(axis, (int)dequantize.Attribute.Single(a => a.Name == "axis").I);
        Assert.All(MemoryMarshal.Cast<byte, sbyte>(zeroPoint.RawData.Span).ToArray(), z => Assert.Equal(0, z));
        Assert.All(MemoryMarshal.Cast<byte, sbyte>(weight.RawData.Span).ToArray(), w => Assert.InRange(w, -127, 127));
        Assert.All(MemoryMarshal.Cast<byte, float>(scale.RawData.Span).ToArray(), s => Assert.True(s > 0));
    }
}
