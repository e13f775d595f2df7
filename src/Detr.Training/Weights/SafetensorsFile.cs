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
    // A header is JSON naming each tensor; real ones are kilobytes, this bounds what a corrupt length can make us allocate.
    const long MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Reads every tensor (on the CPU) and the metadata. A header or tensor that claims more bytes than the file holds
    /// is an <see cref="InvalidDataException"/> naming the file and both sizes, raised before anything is allocated for it.
    /// </summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Safetensors file not found: '{path}'.", path);
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) != 8)
            throw new InvalidDataException($"{path}: too short to be a safetensors file ({stream.Length} bytes; it starts with an 8-byte header length).");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > (ulong)(stream.Length - 8))
            throw new InvalidDataException($"{path}: the safetensors header claims {headerLength} bytes but the file has {stream.Length - 8} after its length " +
                "field (truncated, or not a safetensors file).");
        if (headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"{path}: the safetensors header claims {headerLength} bytes, more than the {MaxHeaderBytes} a header can sensibly have (not a safetensors file?).");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        // JSON parsing leaves string contents unchecked until they are read; names must not fail later as InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw new InvalidDataException($"{path}: the safetensors header is not valid UTF-8 JSON.");
        long dataStart = 8 + (long)headerLength;
        long dataLength = stream.Length - dataStart;
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
        try
        {
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{path}: the safetensors header is a JSON {document.RootElement.ValueKind}, not an object of tensors.");
                foreach (var entry in document.RootElement.EnumerateObject())
                {
                    if (entry.Name == "__metadata__")
                    {
                        if (entry.Value.ValueKind != JsonValueKind.Object)
                            throw new InvalidDataException($"{path}: the safetensors __metadata__ is a JSON {entry.Value.ValueKind}, not an object of strings.");
                        foreach (var m in entry.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                        continue;
                    }
                    var (dtype, shape, start, end) = Entry(entry, path);
                    if (end > dataLength)
                        throw new InvalidDataException($"{path}: tensor '{entry.Name}' claims bytes {start}..{end} of the data but the file holds {dataLength} " +
                            "(truncated?).");
                    var (type, size) = ScalarTypeOf(dtype, $"{path}: tensor '{entry.Name}'");
                    long count = ElementCount(shape, $"{path}: tensor '{entry.Name}'");
                    if (count > (end - start) / size || count * size != end - start)
                        throw new InvalidDataException($"{path}: tensor '{entry.Name}' has {end - start} bytes for shape [{string.Join(",", shape)}] of {dtype}.");
                    if (end - start > Array.MaxLength)
                        throw new InvalidDataException($"{path}: tensor '{entry.Name}' has {end - start} bytes, more than one array can hold.");
                    var bytes = new byte[end - start];
                    stream.Position = dataStart + start;
                    stream.ReadExactly(bytes);
                    var result = empty(shape, type);
                    bytes.CopyTo(result.bytes);
                    // JSON allows a name twice; the last wins, as in the reference reader, and the first is freed.
                    if (tensors.Remove(entry.Name, out var replaced))
                        replaced.Dispose();
                    tensors[entry.Name] = result;
                }
            }
        }
        catch
        {
            foreach (var t in tensors.Values)
                t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }

    // One tensor's description; wrong JSON types or missing fields name the tensor instead of surfacing as KeyNotFoundException.
    static (string Dtype, long[] Shape, long Start, long End) Entry(JsonProperty entry, string path)
    {
        string where = $"{path}: tensor '{entry.Name}'";
        try
        {
            var value = entry.Value;
            string dtype = value.GetProperty("dtype").GetString() ?? throw new InvalidDataException($"{where} has a null dtype.");
            long[] shape = value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                throw new InvalidDataException($"{where} has data_offsets [{string.Join(",", offsets)}]; they must be [start, end] with 0 <= start <= end.");
            return (dtype, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{where} is not described as {{dtype, shape, data_offsets}} ({e.Message}).", e);
        }
    }

    static long ElementCount(long[] shape, string where)
    {
        long count = 1;
        foreach (long dimension in shape)
        {
            if (dimension < 0)
                throw new InvalidDataException($"{where} has a negative dimension in shape [{string.Join(",", shape)}].");
            count = dimension == 0 || count <= long.MaxValue / dimension ? count * dimension
                : throw new InvalidDataException($"{where} has shape [{string.Join(",", shape)}], more elements than can exist.");
        }
        return count;
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

    static (ScalarType Type, int Size) ScalarTypeOf(string dtype, string where) => dtype switch
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
}
