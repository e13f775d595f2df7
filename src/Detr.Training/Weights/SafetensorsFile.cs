using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Detr.MLNet;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header (name → dtype, shape, byte range;
/// optional <c>__metadata__</c> of strings), then the raw little-endian tensor bytes. Nothing in it executes.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>Reads every tensor (on the CPU) and the metadata.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Safetensors file not found: '{path}'.", path);
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8)
            throw new InvalidDataException($"{path}: too short to be a safetensors file.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > (ulong)Math.Min(stream.Length - 8, 100_000_000))
            throw new InvalidDataException($"{path}: not a safetensors file (header length {headerLength}).");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the safetensors header is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    foreach (var m in entry.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                string dtype = entry.Value.GetProperty("dtype").GetString()!;
                long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                long length = offsets[1] - offsets[0];
                if (offsets[0] < 0 || length < 0 || dataStart + offsets[1] > stream.Length)
                    throw new InvalidDataException($"{path}: tensor '{entry.Name}' points outside the file.");
                var bytes = new byte[length];
                stream.Position = dataStart + offsets[0];
                stream.ReadExactly(bytes);
                tensors[entry.Name] = FromBytes(bytes, dtype, shape, $"{path}: tensor '{entry.Name}'");
            }
        }
        return (tensors, metadata);
    }

    /// <summary>Writes float32/int64 tensors and string metadata atomically (temp file + rename).</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = metadata };
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            using var cpu = tensor.detach().cpu().contiguous();
            var (dtype, bytes) = cpu.dtype switch
            {
                ScalarType.Float32 => ("F32", cpu.bytes.ToArray()),
                ScalarType.Int64 => ("I64", cpu.bytes.ToArray()),
                ScalarType.Bool => ("BOOL", cpu.bytes.ToArray()),
                var other => throw new NotSupportedException($"Tensor '{name}' has type {other}; checkpoints hold float32, int64 or bool."),
            };
            header[name] = new { dtype, shape = cpu.shape, data_offsets = new[] { offset, offset + bytes.Length } };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padding = (8 - json.Length % 8) % 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(json.Length + padding));
            stream.Write(length);
            stream.Write(json);
            for (int i = 0; i < padding; i++)
                stream.WriteByte((byte)' ');
            foreach (var blob in blobs)
                stream.Write(blob);
        });
    }

    static Tensor FromBytes(byte[] bytes, string dtype, long[] shape, string where)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var (type, size) = dtype switch
        {
            "F32" => (ScalarType.Float32, 4),
            "F64" => (ScalarType.Float64, 8),
            "F16" => (ScalarType.Float16, 2),
            "BF16" => (ScalarType.BFloat16, 2),
            "I64" => (ScalarType.Int64, 8),
            "I32" => (ScalarType.Int32, 4),
            "I16" => (ScalarType.Int16, 2),
            "I8" => (ScalarType.Int8, 1),
            "U8" => (ScalarType.Byte, 1),
            "BOOL" => (ScalarType.Bool, 1),
            _ => throw new InvalidDataException($"{where} has unsupported dtype {dtype}."),
        };
        if (count * size != bytes.Length)
            throw new InvalidDataException($"{where}: {bytes.Length} bytes for shape [{string.Join(",", shape)}] of {dtype}.");
        var result = empty(shape, type);
        bytes.CopyTo(result.bytes);
        return result;
    }
}
