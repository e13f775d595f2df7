using System.Runtime.InteropServices;
using Detr.Training.Export.Onnx;
using Google.Protobuf;

namespace Detr.Training.Export.Quantization;

/// <summary>
/// Writes a <see cref="QdqPlan"/> into a copy of the float32 graph: each quantized activation gets one QuantizeLinear
/// after its producer and a DequantizeLinear per reader; each planned Conv/MatMul reads its weight as int8 through a
/// per-channel DequantizeLinear (axis 0 for Conv, 1 for MatMul's [K,N]) and a Conv its bias as int32 at input scale ×
/// weight scale. Everything else is the float32 graph unchanged. Nodes stay in topological order.
/// </summary>
static class QdqRewriter
{
    /// <summary>The quantized model; <paramref name="parameters"/> holds every activation of the plan that has its own range.</summary>
    public static ModelProto Rewrite(ModelProto floatModel, QdqPlan plan, IReadOnlyDictionary<string, QuantizationParameters> parameters,
        DetrQuantizedActivations activations)
    {
        var model = floatModel.Clone();
        var graph = model.Graph;
        var index = new OnnxGraphIndex(graph);
        var weighted = plan.WeightedNodes.Select(n => n.Name).ToHashSet();
        var activationType = activations == DetrQuantizedActivations.UInt8 ? TensorProto.Types.DataType.Uint8 : TensorProto.Types.DataType.Int8;
        var writer = new Writer(graph, activationType);

        QuantizationParameters ParametersOf(string value)
        {
            var activation = plan.Activations[value];
            return activation.ParametersFrom is string source ? ParametersOf(source)
                : parameters.TryGetValue(value, out var p) ? p
                : throw new InvalidOperationException($"No calibrated range for '{value}'.");
        }

        var original = graph.Node.ToList();
        graph.Node.Clear();
        var quantizedValues = new Dictionary<string, string>();
        var replaced = new HashSet<string>();
        foreach (var node in original)
        {
            string activationInput = node.Input.Count > 0 ? node.Input[0] : "";
            var dequantizedHere = new Dictionary<string, string>();
            for (int i = 0; i < node.Input.Count; i++)
            {
                string value = node.Input[i];
                if (!plan.Activations.TryGetValue(value, out var activation) || !(activation.IntegerProduced || activation.Readers.Contains(node.Name)))
                    continue;
                var p = ParametersOf(value);
                if (!quantizedValues.TryGetValue(value, out var quantized))
                    quantizedValues[value] = quantized = writer.Quantize(value, p);
                if (!dequantizedHere.TryGetValue(value, out var dequantized))
                    dequantizedHere[value] = dequantized = writer.Dequantize(quantized, value, p, node.Name);
                node.Input[i] = dequantized;
            }
            if (weighted.Contains(node.Name))
                QuantizeWeights(node, index, writer, ParametersOf(activationInput), replaced);
            graph.Node.Add(node);
        }

        // Float weights nothing reads any more.
        var stillRead = graph.Node.SelectMany(n => n.Input).ToHashSet();
        var unused = graph.Initializer.Where(t => replaced.Contains(t.Name) && !stillRead.Contains(t.Name)).ToList();
        foreach (var tensor in unused)
            graph.Initializer.Remove(tensor);
        return model;
    }

    static void QuantizeWeights(NodeProto node, OnnxGraphIndex index, Writer writer, QuantizationParameters input, HashSet<string> replaced)
    {
        bool conv = node.OpType == "Conv";
        string weightName = node.Input[1];
        var weight = index.Initializers[weightName];
        var (values, scales) = SymmetricWeights.PerChannel(index.FloatInitializer(weightName)!, weight.Dims, conv ? 0 : 1);
        node.Input[1] = writer.DequantizeWeight(weightName, values, weight.Dims.ToArray(), scales, axis: conv ? 0 : 1);
        replaced.Add(weightName);
        if (conv && node.Input.Count >= 3 && node.Input[2].Length > 0)
        {
            string biasName = node.Input[2];
            var (bias, biasScales) = SymmetricWeights.Bias(index.FloatInitializer(biasName)!, input.Scale, scales);
            node.Input[2] = writer.DequantizeBias(biasName, bias, biasScales);
            replaced.Add(biasName);
        }
    }

    // Adds the initializers and Q/DQ nodes, with names derived from the value they serve.
    sealed class Writer(GraphProto graph, TensorProto.Types.DataType activationType)
    {
        readonly Dictionary<string, int> _dequantizeCounts = new();
        readonly HashSet<string> _parameterised = new();

        public string Quantize(string value, QuantizationParameters p)
        {
            var (scale, zeroPoint) = ActivationParameters(value, p);
            string output = value + "_quantized";
            Add("QuantizeLinear", $"QuantizeLinear_{value}", [value, scale, zeroPoint], output);
            return output;
        }

        public string Dequantize(string quantized, string value, QuantizationParameters p, string reader)
        {
            var (scale, zeroPoint) = ActivationParameters(value, p);
            int count = _dequantizeCounts[value] = _dequantizeCounts.GetValueOrDefault(value) + 1;
            string output = $"{value}_dequantized_{count}";
            Add("DequantizeLinear", $"DequantizeLinear_{value}_for_{reader}", [quantized, scale, zeroPoint], output);
            return output;
        }

        public string DequantizeWeight(string weight, sbyte[] values, long[] dims, float[] scales, int axis)
        {
            string quantized = Initializer(weight + "_int8", TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(values.AsSpan()), dims);
            string scale = Initializer(weight + "_scale", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(scales.AsSpan()), scales.Length);
            string zeroPoint = Initializer(weight + "_zero_point", TensorProto.Types.DataType.Int8, new byte[scales.Length], scales.Length);
            string output = weight + "_dequantized";
            Add("DequantizeLinear", $"DequantizeLinear_{weight}", [quantized, scale, zeroPoint], output, axis);
            return output;
        }

        public string DequantizeBias(string bias, int[] values, float[] scales)
        {
            string quantized = Initializer(bias + "_int32", TensorProto.Types.DataType.Int32, MemoryMarshal.AsBytes(values.AsSpan()), values.Length);
            string scale = Initializer(bias + "_scale", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(scales.AsSpan()), scales.Length);
            string zeroPoint = Initializer(bias + "_zero_point", TensorProto.Types.DataType.Int32, new byte[4 * values.Length], values.Length);
            string output = bias + "_dequantized";
            Add("DequantizeLinear", $"DequantizeLinear_{bias}", [quantized, scale, zeroPoint], output, axis: 0);
            return output;
        }

        // One scalar scale and zero point per activation, shared by its Q and every DQ (ONNX Runtime compares them by value).
        (string Scale, string ZeroPoint) ActivationParameters(string value, QuantizationParameters p)
        {
            string scaleName = value + "_scale";
            if (_parameterised.Add(value))
            {
                Initializer(scaleName, TensorProto.Types.DataType.Float, BitConverter.GetBytes(p.Scale));
                byte zero = activationType == TensorProto.Types.DataType.Uint8 ? (byte)p.ZeroPoint : unchecked((byte)(sbyte)p.ZeroPoint);
                Initializer(value + "_zero_point", activationType, [zero]);
            }
            return (scaleName, value + "_zero_point");
        }

        string Initializer(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, params long[] dims)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
            tensor.Dims.AddRange(dims);
            graph.Initializer.Add(tensor);
            return name;
        }

        void Add(string opType, string name, string[] inputs, string output, int? axis = null)
        {
            var node = new NodeProto { OpType = opType, Name = name };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            if (axis is int a)
                node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = a });
            graph.Node.Add(node);
        }
    }
}
