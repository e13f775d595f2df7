using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// Reads PyTorch <c>torch.save</c> files without Python: the zip format (<c>&lt;prefix&gt;/data.pkl</c> plus
/// <c>&lt;prefix&gt;/data/N</c> storages, any prefix such as <c>archive/</c>) and the legacy pre-1.6 format. The pickle
/// is read by a restricted unpickler: tensors and plain containers only; any other Python global is refused.
/// </summary>
public static class TorchCheckpointReader
{
    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The object graph saved in <paramref name="path"/>: <see cref="PickleDict"/> for dicts, OrderedDicts and
    /// argparse.Namespace, <c>List&lt;object?&gt;</c> for lists, <c>object?[]</c> for tuples, strings, longs
    /// (BigInteger beyond 64 bits), doubles, bools, byte arrays, null, and CPU tensors (the caller owns and disposes them,
    /// see <see cref="DisposeTensors"/>).
    /// </summary>
    public static object? Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Checkpoint not found: '{path}'.", path);
        Span<byte> head = stackalloc byte[4];
        using (var probe = File.OpenRead(path))
        {
            if (probe.ReadAtLeast(head, 4, throwOnEndOfStream: false) < 2)
                throw new InvalidDataException($"'{path}' is too short to be a PyTorch checkpoint.");
        }
        if (head[0] == (byte)'P' && head[1] == (byte)'K')
            return LoadZip(path);
        if (head[0] == 0x80)
            return LoadLegacy(path);
        throw new InvalidDataException($"'{path}' is not a PyTorch checkpoint (neither the zip format of torch.save nor its legacy pickle format).");
    }

    /// <summary>
    /// The state dictionary in a checkpoint: the dict under <c>model</c>, <c>state_dict</c> or <c>model_state_dict</c>
    /// when present, otherwise the top-level dict; only its tensor entries are kept and everything else is disposed.
    /// </summary>
    public static Dictionary<string, Tensor> LoadStateDict(string path) => ExtractStateDict(Load(path), path);

    /// <summary>Takes the state dictionary out of a loaded graph (see <see cref="LoadStateDict"/>) and disposes the rest.</summary>
    public static Dictionary<string, Tensor> ExtractStateDict(object? root, string source)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (root is not PickleDict top)
        {
            DisposeTensors(root);
            throw new InvalidDataException($"'{source}': the checkpoint holds a {root?.GetType().Name ?? "None"}, not a dictionary of tensors.");
        }
        PickleDict chosen = top;
        foreach (var name in new[] { "model", "state_dict", "model_state_dict" })
            if (top.TryGetValue(name, out var inner) && inner is PickleDict dict)
            {
                chosen = dict;
                break;
            }
        foreach (var (key, value) in chosen)
            if (key is string name && value is Tensor tensor)
                result[name] = tensor;
        if (result.Count == 0)
        {
            DisposeTensors(root);
            throw new InvalidDataException($"'{source}': no tensors found under 'model', 'state_dict', 'model_state_dict' or at the top level.");
        }
        DisposeAll(root, keep: new HashSet<object>(result.Values, ReferenceEqualityComparer.Instance));
        return result;
    }

    /// <summary>Disposes every tensor reachable in a graph returned by <see cref="Load"/>.</summary>
    public static void DisposeTensors(object? graph) => DisposeAll(graph, null);

    private static void DisposeAll(object? graph, HashSet<object>? keep)
    {
        switch (graph)
        {
            case Tensor t when keep is null || !keep.Contains(t):
                t.Dispose();
                break;
            case PickleDict dict:
                foreach (var (_, value) in dict)
                    DisposeAll(value, keep);
                foreach (var value in dict.Attributes.Values)
                    DisposeAll(value, keep);
                break;
            case List<object?> list:
                foreach (var value in list)
                    DisposeAll(value, keep);
                break;
            case object?[] tuple:
                foreach (var value in tuple)
                    DisposeAll(value, keep);
                break;
        }
    }

    private static object? LoadZip(string path)
    {
        using var archive = OpenZip(path);
        var pickleEntry = archive.Entries
            .Where(e => e.FullName == "data.pkl" || (e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1))
            .OrderBy(e => e.FullName.Length)
            .FirstOrDefault()
            ?? throw new InvalidDataException($"'{path}' is a zip file but not a torch.save checkpoint: it has no data.pkl.");
        var prefix = pickleEntry.FullName[..^"data.pkl".Length];
        var byteOrder = archive.GetEntry(prefix + "byteorder");
        if (byteOrder is not null)
        {
            var order = System.Text.Encoding.ASCII.GetString(ReadEntry(byteOrder, path)).Trim();
            if (order != "little")
                throw new InvalidDataException($"'{path}': storages are saved {order}-endian; only little-endian checkpoints are supported.");
        }
        var pickle = ReadEntry(pickleEntry, path);
        using var source = new ZipStorageSource(archive, prefix, path);
        return new RestrictedUnpickler(pickle, 0, source, path).Load();
    }

    private static object? LoadLegacy(string path)
    {
        var data = File.ReadAllBytes(path);
        var header = new HeaderOnlySource(path);
        var magicReader = new RestrictedUnpickler(data, 0, header, path);
        var magic = magicReader.Load();
        if (!(magic is BigInteger big && big == LegacyMagic))
            throw new InvalidDataException($"'{path}' starts with a pickle but is not a torch.save checkpoint (wrong magic number).");
        var protocolReader = new RestrictedUnpickler(data, magicReader.Position, header, path);
        if (protocolReader.Load() is not long protocol || protocol != 1001)
            throw new InvalidDataException($"'{path}': unsupported legacy torch.save protocol.");
        var sysInfoReader = new RestrictedUnpickler(data, protocolReader.Position, header, path);
        if (sysInfoReader.Load() is PickleDict sysInfo && sysInfo.TryGetValue("little_endian", out var little) && little is false)
            throw new InvalidDataException($"'{path}': the checkpoint was saved big-endian; only little-endian checkpoints are supported.");
        var objectStart = sysInfoReader.Position;

        // Pass 1 finds where the object pickle ends and which storage types the keys have; the storages follow the key list.
        var scan = new LegacyStorageSource(data, path);
        var scanReader = new RestrictedUnpickler(data, objectStart, scan, path);
        scanReader.Load();
        var keysReader = new RestrictedUnpickler(data, scanReader.Position, header, path);
        if (keysReader.Load() is not List<object?> keys)
            throw new InvalidDataException($"'{path}': the legacy storage key list is missing.");
        var position = (long)keysReader.Position;
        foreach (var keyObject in keys)
        {
            var key = keyObject as string ?? throw new InvalidDataException($"'{path}': a storage key is not a string.");
            if (position + 8 > data.Length)
                throw new InvalidDataException($"'{path}': the file ends before storage '{key}'.");
            var count = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan((int)position, 8));
            var type = scan.TypeOf(key);
            var length = count * type.ElementSize;
            if (count < 0 || position + 8 + length > data.Length)
                throw new InvalidDataException($"'{path}': storage '{key}' runs past the end of the file.");
            scan.SetData(key, position + 8, count);
            position += 8 + length;
        }
        scan.Materialise = true;
        return new RestrictedUnpickler(data, objectStart, scan, path).Load();
    }

    // A zip's directory sits at its end, so a cut-off copy fails here; the zip library's message names no file.
    private static ZipArchive OpenZip(string path)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' starts like a zip (the torch.save format) but its central directory cannot be read: " +
                $"the file is truncated or damaged ({e.Message}). Copy or save it again.", e);
        }
    }

    // Deflate cannot compress better than 1032:1, so an entry claiming more is damaged (or a zip bomb); refused before allocating.
    private const long MaxDeflateRatio = 1032;

    private static byte[] ReadEntry(ZipArchiveEntry entry, string path)
    {
        if (entry.Length > Array.MaxLength || entry.Length > (entry.CompressedLength + 1) * MaxDeflateRatio)
            throw new InvalidDataException($"'{path}': zip entry '{entry.FullName}' claims {entry.Length} bytes from {entry.CompressedLength} stored; " +
                "the archive is damaged.");
        try
        {
            using var stream = entry.Open();
            var bytes = new byte[entry.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"'{path}': zip entry '{entry.FullName}' cannot be read ({e.Message}); the file is truncated or damaged.", e);
        }
    }

    /// <summary>A storage named by a persistent id; <see cref="ElementOffset"/> is non-zero only for legacy views.</summary>
    private sealed record StorageRef(TorchStorageType Type, string Key, long Elements, long ElementOffset);

    private static StorageRef ParseStorageId(object?[] id, string path)
    {
        if (id.Length < 5 || id[0] is not "storage")
            throw new InvalidDataException($"'{path}': unsupported persistent id (expected ('storage', type, key, location, numel)).");
        var type = id[1] as TorchStorageType
            ?? throw new InvalidDataException($"'{path}': persistent id names an unsupported storage type.");
        var key = id[2]?.ToString() ?? throw new InvalidDataException($"'{path}': storage without key.");
        var elements = id[4] is long n ? n : throw new InvalidDataException($"'{path}': storage '{key}' has no element count.");
        if (id.Length > 5 && id[5] is object?[] { Length: 3 } view)
        {
            // Legacy storage view: (root key, element offset, view size).
            var rootKey = view[0]?.ToString() ?? key;
            return new StorageRef(type, rootKey, view[2] is long size ? size : elements, view[1] is long offset ? offset : 0);
        }
        return new StorageRef(type, key, elements, 0);
    }

    private static Tensor BuildTensor(Tensor storage, StorageRef reference, long offset, long[] size, long[] stride, string path)
    {
        if (size.Length != stride.Length)
            throw new InvalidDataException($"'{path}': a tensor has {size.Length} sizes but {stride.Length} strides.");
        var numel = size.Aggregate(1L, (a, b) => a * b);
        var start = reference.ElementOffset + offset;
        var last = start + size.Zip(stride).Sum(p => p.First > 0 ? (p.First - 1) * p.Second : 0);
        if (numel > 0 && (start < 0 || last >= reference.ElementOffset + reference.Elements || last >= storage.numel()))
            throw new InvalidDataException($"'{path}': a tensor of shape [{string.Join(",", size)}] reaches past the end of storage '{reference.Key}'.");
        var result = empty(size, dtype: reference.Type.DType);
        if (numel > 0)
        {
            using var view = storage.as_strided(size, stride, start);
            result.copy_(view);
        }
        return result;
    }

    private static Tensor StorageTensor(Span<byte> bytes, TorchStorageType type)
    {
        var elements = bytes.Length / type.ElementSize;
        var storage = empty(elements, dtype: type.DType);
        if (elements > 0)
            storage.bytes = bytes[..(elements * type.ElementSize)];
        return storage;
    }

    private sealed class ZipStorageSource(ZipArchive archive, string prefix, string path) : IPickleTensorSource, IDisposable
    {
        private readonly Dictionary<string, Tensor> _storages = new(StringComparer.Ordinal);

        public object PersistentLoad(object?[] persistentId) => ParseStorageId(persistentId, path);

        public object RebuildTensor(object storage, long storageOffset, long[] size, long[] stride)
        {
            var reference = storage as StorageRef ?? throw new InvalidDataException($"'{path}': a tensor's storage is not a storage.");
            if (!_storages.TryGetValue(reference.Key, out var data))
            {
                var entry = archive.GetEntry($"{prefix}data/{reference.Key}")
                    ?? throw new InvalidDataException($"'{path}': storage '{prefix}data/{reference.Key}' is missing from the archive.");
                var bytes = ReadEntry(entry, path);
                if (bytes.LongLength < reference.Elements * reference.Type.ElementSize)
                    throw new InvalidDataException($"'{path}': storage '{reference.Key}' holds {bytes.LongLength} bytes, fewer than its {reference.Elements} {reference.Type.Name} elements need.");
                data = StorageTensor(bytes, reference.Type);
                _storages[reference.Key] = data;
            }
            return BuildTensor(data, reference, storageOffset, size, stride, path);
        }

        public void Dispose()
        {
            foreach (var t in _storages.Values)
                t.Dispose();
        }
    }

    private sealed class LegacyStorageSource(byte[] data, string path) : IPickleTensorSource
    {
        private readonly Dictionary<string, TorchStorageType> _types = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long Start, long Count)> _data = new(StringComparer.Ordinal);

        public bool Materialise { get; set; }

        public TorchStorageType TypeOf(string key) =>
            _types.TryGetValue(key, out var type) ? type : throw new InvalidDataException($"'{path}': storage '{key}' is listed but never used.");

        public void SetData(string key, long start, long count) => _data[key] = (start, count);

        public object PersistentLoad(object?[] persistentId)
        {
            var reference = ParseStorageId(persistentId, path);
            _types[reference.Key] = reference.Type;
            return reference;
        }

        public object RebuildTensor(object storage, long storageOffset, long[] size, long[] stride)
        {
            var reference = storage as StorageRef ?? throw new InvalidDataException($"'{path}': a tensor's storage is not a storage.");
            if (!Materialise)
                return reference;
            var (start, count) = _data.TryGetValue(reference.Key, out var found)
                ? found
                : throw new InvalidDataException($"'{path}': storage '{reference.Key}' has no data.");
            var bytes = data.AsSpan((int)start, (int)(count * reference.Type.ElementSize));
            using var storageTensor = StorageTensor(bytes, reference.Type);
            return BuildTensor(storageTensor, reference with { Elements = count - reference.ElementOffset }, storageOffset, size, stride, path);
        }
    }

    private sealed class HeaderOnlySource(string path) : IPickleTensorSource
    {
        public object PersistentLoad(object?[] persistentId) =>
            throw new InvalidDataException($"'{path}': unexpected storage in a checkpoint header.");

        public object RebuildTensor(object storage, long storageOffset, long[] size, long[] stride) =>
            throw new InvalidDataException($"'{path}': unexpected tensor in a checkpoint header.");
    }
}
