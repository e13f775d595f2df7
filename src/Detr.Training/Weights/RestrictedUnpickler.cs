using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>What the unpickler needs from the container around the pickle: storages and tensors over them.</summary>
internal interface IPickleTensorSource
{
    /// <summary>The object for a persistent id (for torch checkpoints: a storage reference).</summary>
    object PersistentLoad(object?[] persistentId);

    /// <summary>A tensor viewing <paramref name="storage"/> (as returned by <see cref="PersistentLoad"/>), or a placeholder.</summary>
    object RebuildTensor(object storage, long storageOffset, long[] size, long[] stride);
}

/// <summary>A Python global the restricted unpickler accepts.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>
/// A pickle reader that builds only plain data: None, bools, ints, floats, strings, bytes, lists, tuples, dicts,
/// OrderedDict, argparse.Namespace (as a dictionary of its attributes), torch storages and tensors. Any other global is
/// refused with <see cref="InvalidDataException"/> before anything is called; no Python code ever runs.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private static readonly HashSet<string> AllowedGlobals = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "argparse.Namespace",
        "_codecs.encode",
    };

    private readonly byte[] _data;
    private readonly IPickleTensorSource _tensors;
    private readonly string _source;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;
    private int _opcodeAt;

    /// <summary>Reads the pickle starting at <paramref name="start"/> in <paramref name="data"/>.</summary>
    public RestrictedUnpickler(byte[] data, int start, IPickleTensorSource tensors, string source)
    {
        _data = data;
        _pos = start;
        _tensors = tensors;
        _source = source;
    }

    /// <summary>Offset just after the last byte read (after STOP once <see cref="Load"/> returned).</summary>
    public int Position => _pos;

    /// <summary>Runs the pickle to its STOP opcode and returns the object it built.</summary>
    public object? Load()
    {
        try
        {
            return Run();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            // A text opcode (INT, LONG, FLOAT, PUT, GET) whose line is no number: the bytes are damaged.
            throw Corrupt(_opcodeAt, $"a number written as text does not parse ({e.GetType().Name})");
        }
    }

    private object? Run()
    {
        while (true)
        {
            var opcodeAt = _opcodeAt = _pos;
            var op = ReadByte();
            switch (op)
            {
                case 0x80: ReadByte(); break;                                   // PROTO
                case 0x95: ReadBytes(8); break;                                 // FRAME
                case (byte)'.': return Pop();                                   // STOP
                case (byte)'(': _marks.Push(_stack.Count); break;               // MARK
                case (byte)'0': Pop(); break;                                   // POP
                case (byte)'1': PopMark(); break;                               // POP_MARK
                case (byte)'2': Push(Peek()); break;                            // DUP
                case (byte)'N': Push(null); break;                              // NONE
                case 0x88: Push(true); break;                                   // NEWTRUE
                case 0x89: Push(false); break;                                  // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;   // BININT
                case (byte)'K': Push((long)ReadByte()); break;                  // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;  // BININT2
                case (byte)'I': Push(ParseTextInt(ReadLine())); break;          // INT
                case (byte)'L': Push(ParseTextLong(ReadLine())); break;         // LONG
                case 0x8a: Push(ReadLong(ReadByte())); break;                   // LONG1
                case 0x8b: Push(ReadLong(ReadLength4())); break;                // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;           // BINFLOAT
                case (byte)'F': Push(double.Parse(ReadLine(), CultureInfo.InvariantCulture)); break;       // FLOAT
                case (byte)'X': Push(Encoding.UTF8.GetString(ReadBytes(ReadLength4()))); break;           // BINUNICODE
                case 0x8c: Push(Encoding.UTF8.GetString(ReadBytes(ReadByte()))); break;                   // SHORT_BINUNICODE
                case 0x8d: Push(Encoding.UTF8.GetString(ReadBytes(ReadLength8()))); break;                // BINUNICODE8
                case (byte)'T': Push(Encoding.Latin1.GetString(ReadBytes(ReadLength4()))); break;         // BINSTRING
                case (byte)'U': Push(Encoding.Latin1.GetString(ReadBytes(ReadByte()))); break;            // SHORT_BINSTRING
                case (byte)'B': Push(ReadBytes(ReadLength4()).ToArray()); break;                         // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadByte()).ToArray()); break;                            // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(ReadLength8()).ToArray()); break;                              // BINBYTES8
                case (byte)']': Push(new List<object?>()); break;               // EMPTY_LIST
                case (byte)'l': Push(new List<object?>(PopMark())); break;      // LIST
                case (byte)'a': Append(); break;                                // APPEND
                case (byte)'e': Appends(); break;                               // APPENDS
                case (byte)')': Push(Array.Empty<object?>()); break;            // EMPTY_TUPLE
                case (byte)'t': Push(PopMark().ToArray()); break;               // TUPLE
                case 0x85: Push(PopN(1)); break;                                // TUPLE1
                case 0x86: Push(PopN(2)); break;                                // TUPLE2
                case 0x87: Push(PopN(3)); break;                                // TUPLE3
                case (byte)'}': Push(new PickleDict()); break;                  // EMPTY_DICT
                case (byte)'d': Push(MakeDict(PopMark())); break;               // DICT
                case (byte)'s': SetItems(PopN(2)); break;                       // SETITEM
                case (byte)'u': SetItems(PopMark()); break;                     // SETITEMS
                case 0x8f: Push(new List<object?>()); break;                    // EMPTY_SET (as a list)
                case 0x90: Appends(); break;                                    // ADDITEMS
                case 0x91: Push(new List<object?>(PopMark())); break;           // FROZENSET (as a list)
                case (byte)'c': Push(Global(ReadLine(), ReadLine())); break;   // GLOBAL
                case 0x93:                                                      // STACK_GLOBAL
                {
                    var name = Pop() as string;
                    var module = Pop() as string;
                    if (name is null || module is null)
                        throw Corrupt(opcodeAt, "STACK_GLOBAL needs two strings");
                    Push(Global(module, name));
                    break;
                }
                case (byte)'R':                                                 // REDUCE
                {
                    var args = Pop() as object?[] ?? throw Corrupt(opcodeAt, "REDUCE arguments are not a tuple");
                    Push(Call(Pop(), args, opcodeAt));
                    break;
                }
                case 0x81:                                                      // NEWOBJ
                {
                    var args = Pop() as object?[] ?? throw Corrupt(opcodeAt, "NEWOBJ arguments are not a tuple");
                    Push(Call(Pop(), args, opcodeAt));
                    break;
                }
                case 0x92:                                                      // NEWOBJ_EX
                {
                    Pop(); // kwargs
                    var args = Pop() as object?[] ?? throw Corrupt(opcodeAt, "NEWOBJ_EX arguments are not a tuple");
                    Push(Call(Pop(), args, opcodeAt));
                    break;
                }
                case (byte)'b': Build(Pop(), Peek(), opcodeAt); break;         // BUILD
                case (byte)'Q': Push(PersistentLoad(Pop(), opcodeAt)); break;  // BINPERSID
                case (byte)'P': Push(PersistentLoad(ReadLine(), opcodeAt)); break; // PERSID (text id)
                case (byte)'q': _memo[ReadByte()] = Peek(); break;              // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case (byte)'p': _memo[long.Parse(ReadLine(), CultureInfo.InvariantCulture)] = Peek(); break;  // PUT
                case 0x94: _memo[_memo.Count] = Peek(); break;                  // MEMOIZE
                case (byte)'h': Push(Memo(ReadByte(), opcodeAt)); break;        // BINGET
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)), opcodeAt)); break; // LONG_BINGET
                case (byte)'g': Push(Memo(long.Parse(ReadLine(), CultureInfo.InvariantCulture), opcodeAt)); break;  // GET
                case (byte)'i':                                                 // INST: refuse unless allowed (it calls the class)
                {
                    var global = Global(ReadLine(), ReadLine());
                    Push(Call(global, PopMark().ToArray(), opcodeAt));
                    break;
                }
                default:
                    throw Corrupt(opcodeAt, $"pickle opcode 0x{op:x2} is not supported by this reader (it reads only tensors and plain containers)");
            }
        }
    }

    private object Global(string module, string name)
    {
        var full = $"{module}.{name}";
        if (AllowedGlobals.Contains(full))
            return new PickleGlobal(module, name);
        if (module == "torch" && TorchStorageType.Find(name) is { } storage)
            return storage;
        throw Refused($"refers to the Python global '{full}'");
    }

    private object? Call(object? callable, object?[] args, int at)
    {
        if (callable is not PickleGlobal global)
            throw Refused($"calls '{Describe(callable)}' (at byte {at})");
        switch (global.FullName)
        {
            case "collections.OrderedDict":
            {
                var dict = new PickleDict("collections.OrderedDict");
                if (args.Length > 0 && args[0] is List<object?> pairs)
                    foreach (var pair in pairs)
                        if (pair is object?[] { Length: 2 } kv)
                            dict[Key(kv[0], at)] = kv[1];
                return dict;
            }
            case "argparse.Namespace":
                return new PickleDict("argparse.Namespace");
            case "_codecs.encode":
            {
                if (args.Length < 1 || args[0] is not string text)
                    throw Corrupt(at, "_codecs.encode needs a string");
                var encoding = args.Length > 1 && args[1] is string e ? e : "utf-8";
                return encoding.Replace("-", "", StringComparison.Ordinal).Equals("latin1", StringComparison.OrdinalIgnoreCase)
                    ? Encoding.Latin1.GetBytes(text)
                    : Encoding.UTF8.GetBytes(text);
            }
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
            {
                if (args.Length < 4)
                    throw Corrupt(at, $"{global.Name} needs at least 4 arguments");
                var storage = args[0] ?? throw Corrupt(at, "tensor without storage");
                return _tensors.RebuildTensor(storage, ToLong(args[1], at), ToLongs(args[2], at), ToLongs(args[3], at));
            }
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return args.Length > 0 && args[0] is { } data ? data : throw Corrupt(at, "parameter without tensor data");
            default:
                throw Corrupt(at, $"cannot call {global.FullName}");
        }
    }

    private void Build(object? state, object? target, int at)
    {
        if (target is PickleDict dict)
        {
            // A (dict_state, slots_state) pair is possible; both are attribute dictionaries.
            var states = state is object?[] { Length: 2 } pair ? new[] { pair[0], pair[1] } : new[] { state };
            foreach (var s in states)
            {
                if (s is null)
                    continue;
                if (s is not PickleDict attributes)
                    throw Corrupt(at, $"cannot set the state of a {dict.ClassName} from {Describe(s)}");
                foreach (var (key, value) in attributes)
                {
                    if (dict.ClassName == "argparse.Namespace")
                        dict[key] = value;
                    else
                        dict.Attributes[key as string ?? key.ToString()!] = value;
                }
            }
            return;
        }
        if (target is Tensor)
            return; // tensor attributes (for example a parameter's state) are not needed
        throw Corrupt(at, $"cannot set the state of {Describe(target)}");
    }

    private object PersistentLoad(object? id, int at)
    {
        var tuple = id as object?[] ?? throw Corrupt(at, $"unsupported persistent id {Describe(id)}");
        return _tensors.PersistentLoad(tuple);
    }

    private void Append()
    {
        var value = Pop();
        if (Peek() is not List<object?> list)
            throw Corrupt(_pos, "APPEND target is not a list");
        list.Add(value);
    }

    private void Appends()
    {
        var items = PopMark();
        if (Peek() is not List<object?> list)
            throw Corrupt(_pos, "APPENDS target is not a list");
        list.AddRange(items);
    }

    private void SetItems(IReadOnlyList<object?> items)
    {
        if (Peek() is not PickleDict dict)
            throw Corrupt(_pos, $"SETITEM target is {Describe(Peek())}, not a dict");
        if (items.Count % 2 != 0)
            throw Corrupt(_pos, "SETITEMS with an odd number of values");
        for (var i = 0; i < items.Count; i += 2)
            dict[Key(items[i], _pos)] = items[i + 1];
    }

    private PickleDict MakeDict(List<object?> items)
    {
        var dict = new PickleDict();
        for (var i = 0; i + 1 < items.Count; i += 2)
            dict[Key(items[i], _pos)] = items[i + 1];
        return dict;
    }

    private object Key(object? key, int at) => key switch
    {
        null => throw Corrupt(at, "a dictionary key is None"),
        Tensor => throw Corrupt(at, "a dictionary key is a tensor"),
        _ => key,
    };

    private object? Memo(long index, int at) =>
        _memo.TryGetValue(index, out var value) ? value : throw Corrupt(at, $"memo entry {index} was never stored");

    private void Push(object? value) => _stack.Add(value);

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw Corrupt(_pos, "the stack is empty");

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object?[] PopN(int count)
    {
        if (_stack.Count < count)
            throw Corrupt(_pos, "the stack is too short");
        var items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0)
            throw Corrupt(_pos, "no MARK on the stack");
        var mark = _marks.Pop();
        var items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private byte ReadByte()
    {
        if (_pos >= _data.Length)
            throw Corrupt(_pos, "the pickle ends before its STOP opcode");
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> ReadBytes(long count)
    {
        if (count < 0 || _pos + count > _data.Length)
            throw Corrupt(_pos, "the pickle ends inside a value");
        var span = new ReadOnlySpan<byte>(_data, _pos, (int)count);
        _pos += (int)count;
        return span;
    }

    private int ReadLength4()
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));
        return length >= 0 ? length : throw Corrupt(_pos, "negative length");
    }

    private long ReadLength8()
    {
        var length = BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));
        return length is >= 0 and <= int.MaxValue ? length : throw Corrupt(_pos, "length out of range");
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0)
            throw Corrupt(_pos, "unterminated text argument");
        var text = Encoding.UTF8.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return text;
    }

    private object ReadLong(int length)
    {
        if (length == 0)
            return 0L;
        var value = new BigInteger(ReadBytes(length), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private static object ParseTextInt(string text) => text switch
    {
        "00" => false,
        "01" => true,
        _ => long.Parse(text, CultureInfo.InvariantCulture),
    };

    private static object ParseTextLong(string text)
    {
        var value = BigInteger.Parse(text.TrimEnd('L'), CultureInfo.InvariantCulture);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private long ToLong(object? value, int at) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw Corrupt(at, $"expected an integer, found {Describe(value)}"),
    };

    private long[] ToLongs(object? value, int at) => value switch
    {
        object?[] tuple => tuple.Select(v => ToLong(v, at)).ToArray(),
        List<object?> list => list.Select(v => ToLong(v, at)).ToArray(),
        _ => throw Corrupt(at, $"expected a tuple of integers, found {Describe(value)}"),
    };

    private static string Describe(object? value) => value switch
    {
        null => "None",
        PickleGlobal g => g.FullName,
        TorchStorageType s => $"torch.{s.Name}",
        PickleDict d => d.ClassName,
        _ => value.GetType().Name,
    };

    private InvalidDataException Refused(string what) => new(
        $"'{_source}': the pickle {what}, which this reader does not allow. Only tensors, storages and plain containers " +
        "(dict, OrderedDict, list, tuple, str, int, float, bool, None, argparse.Namespace) are read; no Python code is ever run.");

    private InvalidDataException Corrupt(int at, string message) =>
        new($"'{_source}': unreadable pickle at byte {at}: {message}.");
}
