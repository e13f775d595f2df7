using System.Text;

namespace Detr.MLNet.Tests.Scoring;

/// <summary>Protobuf fields written by hand: enough of onnx.proto to build small models in a test.</summary>
static class OnnxProto
{
    public static byte[] Varint(int field, ulong value) => [.. Tag(field, 0), .. VarintBytes(value)];

    public static byte[] Bytes(int field, byte[] payload) => [.. Tag(field, 2), .. VarintBytes((ulong)payload.Length), .. payload];

    public static byte[] Text(int field, string text) => Bytes(field, Encoding.UTF8.GetBytes(text));

    public static byte[] Message(params byte[][] fields) => fields.SelectMany(f => f).ToArray();

    static byte[] Tag(int field, int wire) => VarintBytes((ulong)(field << 3 | wire));

    static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return bytes.ToArray();
    }

    /// <summary>
    /// A DETR model in the transformers layout, a few hundred bytes: pixel_values [1,3,h,w] → logits [1,5,4] and
    /// pred_boxes [1,5,4], both constants (the image input is declared and unused), with <paramref name="metadata"/>
    /// as the model's metadata_props. The logits are statically 4 wide, so opening it runs nothing.
    /// </summary>
    public static byte[] TinyDetr(IEnumerable<(string Key, byte[] Value)> metadata)
    {
        // ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 {version 2}, metadata_props 14 {key 1, value 2}.
        var graph = Message(
            Bytes(1, ConstantNode("logits", 0.5f)), Bytes(1, ConstantNode("pred_boxes", 0.25f)), Text(2, "tiny_detr"),
            Bytes(11, ValueInfo("pixel_values", Dim(1), Dim(3), Dim("height"), Dim("width"))),
            Bytes(12, ValueInfo("logits", Dim(1), Dim(5), Dim(4))), Bytes(12, ValueInfo("pred_boxes", Dim(1), Dim(5), Dim(4))));
        return Message([Varint(1, 8), Text(2, "detr.mlnet tests"), Bytes(7, graph), Bytes(8, Varint(2, 17)),
            .. metadata.Select(m => Bytes(14, Message(Text(1, m.Key), Bytes(2, m.Value))))]);
    }

    // NodeProto: output 2, op_type 4, attribute 5 (AttributeProto: name 1, t 5, type 20 = TENSOR 4).
    // TensorProto: dims 1, data_type 2 (FLOAT 1), raw_data 9.
    static byte[] ConstantNode(string output, float fill)
    {
        var raw = Enumerable.Range(0, 20).SelectMany(i => BitConverter.GetBytes(fill + i / 64f)).ToArray();
        var tensor = Message(Varint(1, 1), Varint(1, 5), Varint(1, 4), Varint(2, 1), Bytes(9, raw));
        return Message(Text(2, output), Text(4, "Constant"), Bytes(5, Message(Text(1, "value"), Bytes(5, tensor), Varint(20, 4))));
    }

    // ValueInfoProto: name 1, type 2 (TypeProto: tensor_type 1 {elem_type 1 = FLOAT, shape 2 {dim 1}}).
    static byte[] ValueInfo(string name, params byte[][] dims) =>
        Message(Text(1, name), Bytes(2, Bytes(1, Message(Varint(1, 1), Bytes(2, Message(dims.Select(d => Bytes(1, d)).ToArray()))))));

    // TensorShapeProto.Dimension: dim_value 1 or dim_param 2.
    static byte[] Dim(ulong size) => Varint(1, size);

    static byte[] Dim(string symbol) => Text(2, symbol);
}
