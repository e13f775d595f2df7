using System.Runtime.InteropServices;
using Detr.MLNet.Labels;
using Detr.Training.Export.Onnx;
using Google.Protobuf;

namespace Detr.Training.Export.Float16;

/// <summary>
/// Converts an export to float16 for GPU execution: every node of the network's parts computes in float16 (its float
/// weights stored as float16, its Casts to float retargeted); nodes of no part (the pixel mask's downsampling, position
/// embeddings, shape arithmetic, the outputs' renaming) stay float32, so the mask indices and sizes are as exact as in
/// the float32 model. Where the two meet a Cast is inserted, which also keeps the inputs and outputs float32: the
/// model scores through <c>ApplyDetr</c> as before. (onnxconverter-common's float16 converter does the same in Python
/// with a list of operators to keep; here the exporter's part labels say what to keep.)
/// </summary>
static class OnnxFloat16Converter
{
    const int Float = (int)TensorProto.Types.DataType.Float;
    const int Half = (int)TensorProto.Types.DataType.Float16;

    /// <summary>The float16 model.</summary>
    public static ModelProto Convert(OnnxExport export)
    {
        var model = export.Model.Clone();
        var graph = model.Graph;
        var types = OnnxElementTypes.Infer(graph);
        var index = new OnnxGraphIndex(graph);
        bool InHalf(NodeProto node) => export.NodeParts.ContainsKey(node.Name);

        var halfInitializers = new Dictionary<string, string>();
        var casts = new Dictionary<(string Value, int To), string>();
        var original = graph.Node.ToList();
        graph.Node.Clear();
        foreach (var node in original)
        {
            bool half = InHalf(node);
            for (int i = 0; i < node.Input.Count; i++)
            {
                string value = node.Input[i];
                if (value.Length == 0 || types.GetValueOrDefault(value) != Float)
                    continue;
                if (index.Initializers.ContainsKey(value))
                {
                    if (half)
                        node.Input[i] = HalfInitializer(graph, index, value, halfInitializers);
                    continue;
                }
                bool producedInHalf = index.Producer(value) is { } producer && InHalf(producer);
                if (half != producedInHalf)
                    node.Input[i] = Cast(graph, value, half ? Half : Float, casts);
            }
            if (half && node.OpType == "Cast" && node.Attribute.Single(a => a.Name == "to") is { I: Float } to)
                to.I = Half;
            graph.Node.Add(node);
        }

        var stillRead = graph.Node.SelectMany(n => n.Input).ToHashSet();
        foreach (var unused in graph.Initializer.Where(t => halfInitializers.ContainsKey(t.Name) && !stillRead.Contains(t.Name)).ToList())
            graph.Initializer.Remove(unused);
        OnnxExportMetadata.Set(model, DetrModelMetadataKeys.Precision, "float16");
        return model;
    }

    static string HalfInitializer(GraphProto graph, OnnxGraphIndex index, string name, Dictionary<string, string> converted)
    {
        if (converted.TryGetValue(name, out var existing))
            return existing;
        var values = index.FloatInitializer(name)!;
        var halves = new System.Half[values.Length];
        for (int i = 0; i < values.Length; i++)
            halves[i] = (System.Half)values[i]; // beyond ±65504 becomes ±∞, as a GPU's conversion does
        var source = index.Initializers[name];
        var tensor = new TensorProto { Name = name + "_fp16", DataType = Half, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(halves.AsSpan())) };
        tensor.Dims.AddRange(source.Dims);
        graph.Initializer.Add(tensor);
        return converted[name] = tensor.Name;
    }

    // One Cast per value and direction, placed before its first reader (after its producer, so the order stays topological).
    static string Cast(GraphProto graph, string value, int to, Dictionary<(string, int), string> casts)
    {
        if (casts.TryGetValue((value, to), out var existing))
            return existing;
        string output = value + (to == Half ? "_to_fp16" : "_to_fp32");
        var node = new NodeProto { OpType = "Cast", Name = "Cast_" + output };
        node.Input.Add(value);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = to });
        graph.Node.Add(node);
        return casts[(value, to)] = output;
    }
}
