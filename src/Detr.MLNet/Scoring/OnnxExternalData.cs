using System.Text;

namespace Detr.MLNet.Scoring;

/// <summary>
/// The files an ONNX model's tensors keep their data in (<c>external_data</c> "location" entries), found by walking the
/// protobuf without loading it, so that a model whose references leave its folder (an absolute path, <c>..</c>) is
/// refused before ONNX Runtime opens whatever file it names.
/// </summary>
static class OnnxExternalData
{
    // Nested graphs (If/Loop bodies) are few levels deep in real models; a crafted file could nest without end.
    const int MaxDepth = 64;

    enum Message { Model, Graph, Node, Attribute, Tensor, SparseTensor, Function, TrainingInfo }

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="source"/>, the tensor and the path when a reference leaves <paramref name="folder"/>.</summary>
    public static void CheckInside(byte[] model, string folder, string source)
    {
        string root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        foreach (var (tensor, location) in References(model))
        {
            string resolved = Path.GetFullPath(Path.Combine(root, location));
            bool inside = !Path.IsPathRooted(location) && resolved.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
            if (!inside)
                throw new InvalidDataException($"{source}: tensor '{tensor}' keeps its data in '{location}', which is outside the model's folder " +
                    $"'{root}'. External data must be a relative path inside that folder; the model was not opened.");
        }
    }

    /// <summary>Every (tensor name, location) in the model; empty when there are none or the bytes are no protobuf (ONNX Runtime then says so).</summary>
    public static List<(string Tensor, string Location)> References(ReadOnlySpan<byte> model)
    {
        var found = new List<(string, string)>();
        try
        {
            Walk(model, Message.Model, 0, found);
        }
        catch (FormatException)
        {
            // Malformed protobuf: ONNX Runtime will refuse to parse it, with its own message.
        }
        return found;
    }

    static void Walk(ReadOnlySpan<byte> bytes, Message kind, int depth, List<(string, string)> found)
    {
        if (depth > MaxDepth)
            throw new FormatException("nested too deeply");
        string? name = null;
        var locations = new List<string>();
        int position = 0;
        while (position < bytes.Length)
        {
            ulong tag = Varint(bytes, ref position);
            int field = (int)(tag >> 3);
            int wire = (int)(tag & 7);
            if (wire != 2)
            {
                Skip(bytes, ref position, wire);
                continue;
            }
            var payload = LengthDelimited(bytes, ref position);
            if (kind == Message.Tensor && field == 8)
                name = Encoding.UTF8.GetString(payload);
            else if (kind == Message.Tensor && field == 13 && Location(payload) is string location)
                locations.Add(location);
            else if (Child(kind, field) is Message child)
                Walk(payload, child, depth + 1, found);
        }
        foreach (var location in locations)
            found.Add((name ?? "(unnamed)", location));
    }

    // onnx.proto field numbers of the messages that can hold tensors, directly or in subgraphs.
    static Message? Child(Message kind, int field) => (kind, field) switch
    {
        (Message.Model, 7) => Message.Graph,
        (Message.Model, 20) => Message.TrainingInfo,
        (Message.Model, 25) => Message.Function,
        (Message.Graph, 1) => Message.Node,
        (Message.Graph, 5) => Message.Tensor,
        (Message.Graph, 15) => Message.SparseTensor,
        (Message.Node, 5) => Message.Attribute,
        (Message.Attribute, 5 or 10) => Message.Tensor,
        (Message.Attribute, 6 or 11) => Message.Graph,
        (Message.Attribute, 22 or 23) => Message.SparseTensor,
        (Message.SparseTensor, 1 or 2) => Message.Tensor,
        (Message.Function, 7) => Message.Node,
        (Message.Function, 11) => Message.Attribute,
        (Message.TrainingInfo, 1 or 2) => Message.Graph,
        _ => null,
    };

    // A StringStringEntryProto (key = 1, value = 2): the value when the key is "location".
    static string? Location(ReadOnlySpan<byte> entry)
    {
        string? key = null, value = null;
        int position = 0;
        while (position < entry.Length)
        {
            ulong tag = Varint(entry, ref position);
            if ((tag & 7) != 2)
            {
                Skip(entry, ref position, (int)(tag & 7));
                continue;
            }
            var text = Encoding.UTF8.GetString(LengthDelimited(entry, ref position));
            if (tag >> 3 == 1)
                key = text;
            else if (tag >> 3 == 2)
                value = text;
        }
        return key == "location" ? value ?? "" : null;
    }

    static ulong Varint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length)
                throw new FormatException("truncated varint");
            byte b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw new FormatException("varint too long");
    }

    static ReadOnlySpan<byte> LengthDelimited(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong length = Varint(bytes, ref position);
        if (length > (ulong)(bytes.Length - position))
            throw new FormatException("length past the end");
        var payload = bytes.Slice(position, (int)length);
        position += (int)length;
        return payload;
    }

    // Skips one field's value. Groups (wire types 3/4, deprecated but legal) are skipped as parsers skip unknown
    // fields, so one placed before the graph cannot hide the references after it; counted, not recursed into.
    static void Skip(ReadOnlySpan<byte> bytes, ref int position, int wire)
    {
        int groups = wire == 3 ? 1 : 0;
        do
        {
            if (groups > 0)
            {
                wire = (int)(Varint(bytes, ref position) & 7);
                if (wire == 3)
                {
                    groups++;
                    continue;
                }
                if (wire == 4)
                {
                    groups--;
                    continue;
                }
            }
            switch (wire)
            {
                case 0:
                    Varint(bytes, ref position);
                    break;
                case 1 or 5:
                    int size = wire == 1 ? 8 : 4;
                    if (size > bytes.Length - position)
                        throw new FormatException("fixed field past the end");
                    position += size;
                    break;
                case 2:
                    LengthDelimited(bytes, ref position);
                    break;
                default:
                    throw new FormatException($"wire type {wire}");
            }
        }
        while (groups > 0);
    }
}
