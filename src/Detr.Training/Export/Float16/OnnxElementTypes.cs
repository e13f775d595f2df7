using Detr.Training.Export.Onnx;

namespace Detr.Training.Export.Float16;

/// <summary>
/// The element type of every value of an exported graph, propagated from its inputs and initializers through the
/// operators the exporters write: Shape gives int64, Cast its <c>to</c>, comparisons and logic bool, TopK (T, int64),
/// Where its second input's type, every other operator its first input's.
/// </summary>
static class OnnxElementTypes
{
    /// <summary>Value name → <see cref="TensorProto.Types.DataType"/> (as int).</summary>
    public static Dictionary<string, int> Infer(GraphProto graph)
    {
        var types = new Dictionary<string, int>();
        foreach (var input in graph.Input)
            types[input.Name] = input.Type.TensorType.ElemType;
        foreach (var initializer in graph.Initializer)
            types[initializer.Name] = initializer.DataType;
        foreach (var node in graph.Node)
        {
            int TypeOf(int input) => node.Input.Count > input && types.TryGetValue(node.Input[input], out int type)
                ? type
                : throw new InvalidOperationException($"No element type known for input {input} of {node.OpType} node '{node.Name}'.");
            int[] outputs = node.OpType switch
            {
                "Shape" => [(int)TensorProto.Types.DataType.Int64],
                "Cast" => [(int)node.Attribute.Single(a => a.Name == "to").I],
                "Greater" or "Less" or "Equal" or "And" or "Or" or "Not" => [(int)TensorProto.Types.DataType.Bool],
                "TopK" => [TypeOf(0), (int)TensorProto.Types.DataType.Int64],
                "Where" => [TypeOf(1)],
                _ => Enumerable.Repeat(TypeOf(0), node.Output.Count).ToArray(),
            };
            for (int i = 0; i < node.Output.Count; i++)
                types[node.Output[i]] = outputs[Math.Min(i, outputs.Length - 1)];
        }
        return types;
    }
}
