using System.Text.Json;

namespace Detr.MLNet.CocoJson;

/// <summary>How reading an entry in one pass went (<see cref="IJsonEntryReader.TryReadDirect"/>).</summary>
enum JsonEntryRead
{
    /// <summary>The entry was read, and the reader stands on its last token.</summary>
    Read,

    /// <summary>The buffer ended inside the entry: read it again once more of the file is in.</summary>
    NeedsMoreData,

    /// <summary>The entry holds something only the general path reads (or reports): read it that way.</summary>
    NotDirect,
}

/// <summary>Reads the entries of an array, each either in one pass as the tokens come or, whole, by the general path.</summary>
interface IJsonEntryReader
{
    /// <summary>
    /// One pass over the entry <paramref name="reader"/> stands on (its first token read), over a buffer that may end
    /// inside it. Anything unusual is left to <see cref="Read"/>, which then reads (or refuses) the entry as it always
    /// would, so the two paths cannot disagree.
    /// </summary>
    JsonEntryRead TryReadDirect(ref Utf8JsonReader reader);

    /// <summary>Reads one whole entry: <paramref name="reader"/> stands on its first token, over <paramref name="json"/>.</summary>
    void Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> json);
}

/// <summary>
/// Reads a JSON file front to back through one buffer that grows only to hold the largest single array entry, so a
/// file of any size is read without holding it, or a document of it, in memory. The outer structure is walked token by
/// token; each array entry is handed over whole, so its fields can be read in any order.
/// </summary>
sealed class JsonFileStream : IDisposable
{
    static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    readonly FileStream _file;
    byte[] _buffer = new byte[1 << 16];
    byte[] _name = new byte[64];
    int _nameLength;
    int _start;
    int _end;
    bool _final;
    bool _started;
    JsonReaderState _state;

    public JsonFileStream(string path, JsonReaderOptions options)
    {
        // The buffer here is the only one: FileStream's own would copy every byte twice.
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        _state = new JsonReaderState(options);
    }

    /// <summary>The last token <see cref="Read"/> moved to.</summary>
    public JsonTokenType TokenType { get; private set; }

    /// <summary>Reads the next token; false at the end of the file. Malformed JSON throws <see cref="JsonException"/>.</summary>
    public bool Read()
    {
        while (true)
        {
            var reader = new Utf8JsonReader(Window, _final, _state);
            if (reader.Read())
            {
                TokenType = reader.TokenType;
                if (TokenType == JsonTokenType.PropertyName)
                    KeepName(ref reader);
                MovePast(ref reader);
                return true;
            }
            if (_final)
                return false;
            Fill();
        }
    }

    /// <summary>Whether the last token is the property <paramref name="utf8Name"/> (after unescaping).</summary>
    public bool NameIs(ReadOnlySpan<byte> utf8Name) => _name.AsSpan(0, _nameLength).SequenceEqual(utf8Name);

    /// <summary>Skips the value after a property name, token by token, however large it is.</summary>
    public void SkipValue()
    {
        int depth = 0;
        do
        {
            Read();
            if (TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                depth++;
            else if (TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                depth--;
        }
        while (depth > 0);
    }

    /// <summary>After the root value: reads to the end, so that anything trailing it is refused as malformed JSON.</summary>
    public void ReadToEnd() => _ = Read(); // Utf8JsonReader throws at a token after the root value; at the end it returns false

    /// <summary>
    /// Inside an array: reads the next entry with <paramref name="read"/> (in one pass if it can, else handed over whole)
    /// and moves past it; false (having read the array's end) when there is no further entry.
    /// </summary>
    public bool ReadEntry<TEntryReader>(TEntryReader read)
        where TEntryReader : IJsonEntryReader
    {
        while (true)
        {
            var json = Window;
            var reader = new Utf8JsonReader(json, _final, _state);
            if (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    TokenType = reader.TokenType;
                    MovePast(ref reader);
                    return false;
                }
                var direct = reader;
                var attempt = read.TryReadDirect(ref direct);
                if (attempt == JsonEntryRead.Read)
                {
                    TokenType = direct.TokenType;
                    MovePast(ref direct);
                    return true;
                }
                // At the end of the file there is no more data to wait for: the general path says what is wrong.
                var end = reader;
                if ((attempt == JsonEntryRead.NotDirect || _final) && end.TrySkip())
                {
                    read.Read(ref reader, json);
                    TokenType = end.TokenType;
                    MovePast(ref end);
                    return true;
                }
            }
            if (_final)
                throw new JsonException("The file ends inside an array.");
            Fill();
        }
    }

    public void Dispose() => _file.Dispose();

    ReadOnlySpan<byte> Window => _buffer.AsSpan(_start, _end - _start);

    void MovePast(ref Utf8JsonReader reader)
    {
        _start += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    void KeepName(ref Utf8JsonReader reader)
    {
        int longest = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (_name.Length < longest)
            _name = new byte[longest];
        _nameLength = reader.CopyString(_name);
    }

    /// <summary>Keeps the unread bytes, moved to the front (the buffer doubled if they fill it), and reads more after them.</summary>
    void Fill()
    {
        int kept = _end - _start;
        if (kept == _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2);
        else if (_start > 0)
            _buffer.AsSpan(_start, kept).CopyTo(_buffer);
        _start = 0;
        _end = kept;
        int read = _file.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        _final = read == 0;
        if (!_started)
        {
            // Utf8JsonReader refuses a byte-order mark; files saved by Windows tools often start with one.
            _started = true;
            if (Window.StartsWith(Utf8Bom))
                _start = Utf8Bom.Length;
        }
    }
}
