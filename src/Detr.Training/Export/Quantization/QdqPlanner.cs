using Detr.Training.Export.Onnx;

namespace Detr.Training.Export.Quantization;

/// <summary>
/// Plans a QDQ model the way ONNX Runtime's CPU provider runs fastest: the input of every quantized Conv and MatMul is
/// quantized (its weight per channel); a Conv's output is quantized too, after its ReLU when one follows, so that
/// DQ → Conv (→ ReLU) → Q becomes one QLinearConv; inside the chosen parts a residual Add of two quantized values and a
/// MaxPool of one stay in integers (QLinearAdd, int8 MaxPool). A MatMul's output stays float (MatMulIntegerToFloat):
/// the bias Add, LayerNorm, softmax and attention products that follow are float arithmetic. Nodes outside the chosen
/// parts are never touched, so e.g. a float decoder reads float values.
/// </summary>
static class QdqPlanner
{
    /// <summary>The plan for quantizing the nodes of <paramref name="parts"/> in <paramref name="graph"/>.</summary>
    public static QdqPlan Plan(GraphProto graph, IReadOnlyDictionary<string, DetrModelParts> nodeParts, DetrModelParts parts)
    {
        var index = new OnnxGraphIndex(graph);
        bool Chosen(NodeProto node) => nodeParts.TryGetValue(node.Name, out var part) && (part & parts) != 0;

        var weighted = graph.Node.Where(n => Chosen(n) && IsWeighted(n, index)).ToList();
        var readers = new Dictionary<string, HashSet<string>>();
        var integerProduced = new HashSet<string>();
        var parametersFrom = new Dictionary<string, string>();
        var order = new List<string>();
        void Read(string value, NodeProto reader)
        {
            if (!readers.TryGetValue(value, out var set))
            {
                readers[value] = set = [];
                order.Add(value);
            }
            set.Add(reader.Name);
        }
        bool Quantized(string value) => readers.ContainsKey(value) || integerProduced.Contains(value);
        // The value to quantize after a node: its ReLU's output when a ReLU is its only reader (ONNX Runtime drops the
        // ReLU then: a zero point at the bottom of the range clips as it does); null when it is a graph output.
        string? IntegerOutput(NodeProto node)
        {
            string value = node.Output[0];
            var consumers = index.Consumers(value);
            if (consumers.Count == 1 && consumers[0].OpType == "Relu" && !index.IsGraphOutput(value))
                value = consumers[0].Output[0];
            if (index.IsGraphOutput(value))
                return null;
            if (integerProduced.Add(value) && !readers.ContainsKey(value))
                order.Add(value);
            return value;
        }

        foreach (var node in weighted)
            Read(node.Input[0], node);
        var weightedSet = weighted.ToHashSet();
        foreach (var node in graph.Node)
        {
            if (weightedSet.Contains(node) && node.OpType == "Conv")
                IntegerOutput(node);
            else if (Chosen(node) && node.OpType == "Add" && node.Input.Count == 2 && node.Input.All(i => Quantized(i) && !index.Initializers.ContainsKey(i)))
            {
                Read(node.Input[0], node);
                Read(node.Input[1], node);
                IntegerOutput(node);
            }
            else if (Chosen(node) && node.OpType == "MaxPool" && Quantized(node.Input[0]))
            {
                Read(node.Input[0], node);
                if (IntegerOutput(node) is string pooled && pooled == node.Output[0])
                    parametersFrom[pooled] = node.Input[0];
            }
        }

        var activations = new Dictionary<string, QuantizedActivation>();
        foreach (string value in order)
            activations[value] = new QuantizedActivation(value, integerProduced.Contains(value), parametersFrom.GetValueOrDefault(value),
                readers.TryGetValue(value, out var set) ? set : new HashSet<string>());
        return new QdqPlan(weighted, activations);
    }

    // Conv with a [O,I,kh,kw] weight, MatMul with a [K,N] one, either a float32 initializer.
    static bool IsWeighted(NodeProto node, OnnxGraphIndex index) =>
        node.OpType is "Conv" or "MatMul" && node.Input.Count >= 2
        && index.Initializers.TryGetValue(node.Input[1], out var weight)
        && weight.DataType == (int)TensorProto.Types.DataType.Float
        && weight.Dims.Count == (node.OpType == "Conv" ? 4 : 2)
        && (node.OpType == "MatMul" || node.Input.Count < 3 || index.FloatInitializer(node.Input[2]) is not null);
}
