using System.Text.Json;
using Detr.MLNet.Evaluation;

namespace Detr.MLNet.CocoJson;

/// <summary>
/// The one reader of COCO JSON files, for datasets and for evaluation alike. It streams the file (no document of it is
/// built) and checks each entry as it goes; what differs between uses is a <see cref="CocoJsonRules"/>. Every error is an
/// <see cref="InvalidDataException"/> naming the file and the entry (malformed JSON: its line and byte).
/// </summary>
sealed class CocoJsonReader : IDisposable
{
    readonly string _path;
    readonly JsonFileStream _json;
    CocoJsonEntryKind _kind;
    int _index = -1; // the entry being read, for a malformed-JSON message; -1 outside the arrays
    bool _direct = true;

    CocoJsonReader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"COCO JSON file not found: '{path}'.", path);
        _path = path;
        _json = new JsonFileStream(path, CocoJsonObject.Options);
    }

    /// <summary>Reads <c>images</c>, <c>annotations</c> and <c>categories</c> of a ground-truth or dataset file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="rules">What the entries must hold.</param>
    /// <param name="direct">False reads every entry by the general path (for tests that compare the two).</param>
    public static CocoAnnotationFile ReadAnnotations(string path, CocoJsonRules rules, bool direct = true)
    {
        using var reader = new CocoJsonReader(path) { _direct = direct };
        return reader.Guarded(() => reader.Annotations(rules));
    }

    /// <summary>Reads a results file: a JSON array of <c>{image_id, category_id, bbox: [x, y, w, h], score}</c>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="direct">False reads every entry by the general path (for tests that compare the two).</param>
    public static List<CocoDetection> ReadResults(string path, bool direct = true)
    {
        using var reader = new CocoJsonReader(path) { _direct = direct };
        return reader.Guarded(reader.Results);
    }

    public void Dispose() => _json.Dispose();

    CocoAnnotationFile Annotations(CocoJsonRules rules)
    {
        if (!_json.Read() || _json.TokenType != JsonTokenType.StartObject)
            throw new InvalidDataException($"'{_path}' must hold a JSON object with images, annotations and categories, found {CocoJsonObject.KindName(_json.TokenType)}.");
        List<CocoJsonImage>? images = null;
        List<CocoJsonCategory>? categories = null;
        List<CocoJsonAnnotation>? annotations = null;
        while (_json.Read() && _json.TokenType == JsonTokenType.PropertyName)
        {
            // A repeated array replaces the earlier one, as the last of repeated keys wins in a JSON object.
            if (_json.NameIs("images"u8))
                images = Entries("images", CocoJsonEntryKind.Image, (in CocoJsonObject entry) => CocoJsonEntries.Image(entry, rules));
            else if (_json.NameIs("categories"u8))
                categories = Entries("categories", CocoJsonEntryKind.Category, (in CocoJsonObject entry) => CocoJsonEntries.Category(entry, rules));
            else if (_json.NameIs("annotations"u8))
                annotations = Entries("annotations", CocoJsonEntryKind.Annotation, CocoJsonEntries.Annotation, CocoJsonDirectEntries.TryAnnotation);
            else
                _json.SkipValue();
        }
        _json.ReadToEnd();

        if (images is null)
            throw new InvalidDataException($"'{_path}' has no 'images' array.");
        if (categories is null && rules.CategoriesNeedNames)
            throw new InvalidDataException($"'{_path}' has no 'categories' array, which names the dataset's classes.");
        var file = new CocoAnnotationFile(images, categories, annotations ?? []);
        if (rules.IdsMustAgree)
            CocoJsonIdChecks.Check(file, _path);
        return file;
    }

    List<CocoDetection> Results()
    {
        if (!_json.Read() || _json.TokenType != JsonTokenType.StartArray)
            throw new InvalidDataException($"'{_path}' must hold a JSON array of results, found {CocoJsonObject.KindName(_json.TokenType)}.");
        var results = ReadArray(CocoJsonEntryKind.Result, CocoJsonEntries.Result, CocoJsonDirectEntries.TryResult);
        _json.ReadToEnd();
        return results;
    }

    /// <summary>The array after a property name; null (like absence) when the value is null.</summary>
    List<T>? Entries<T>(string section, CocoJsonEntryKind kind, EntryReader<T> read, DirectEntryReader<T>? direct = null)
    {
        _json.Read();
        if (_json.TokenType == JsonTokenType.Null)
            return null;
        if (_json.TokenType != JsonTokenType.StartArray)
            throw new InvalidDataException($"'{_path}': '{section}' must be an array, found {CocoJsonObject.KindName(_json.TokenType)}.");
        return ReadArray(kind, read, direct);
    }

    List<T> ReadArray<T>(CocoJsonEntryKind kind, EntryReader<T> read, DirectEntryReader<T>? direct)
    {
        var entries = new EntryList<T>(this, kind, read, _direct ? direct : null);
        _kind = kind;
        _index = 0;
        while (_json.ReadEntry(entries))
            _index++;
        _index = -1;
        return entries.Entries;
    }

    /// <summary>Runs <paramref name="read"/>, turning malformed JSON into a message with the file, line and entry.</summary>
    T Guarded<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (JsonException error)
        {
            long line = (error.LineNumber ?? 0) + 1;
            long position = (error.BytePositionInLine ?? 0) + 1;
            string entry = _index >= 0 ? $" (in {CocoJsonLocation.Of(_kind, _index)})" : "";
            throw new InvalidDataException($"'{_path}' is not valid JSON at line {line}, byte {position} of that line{entry}: {error.Message}", error);
        }
    }

    delegate T EntryReader<T>(in CocoJsonObject entry);

    /// <summary>One pass over an entry as its tokens come (<see cref="CocoJsonDirectEntries"/>).</summary>
    delegate JsonEntryRead DirectEntryReader<T>(ref Utf8JsonReader reader, out T entry);

    /// <summary>The entries of one array, each read in one pass where it has the plain shape, else located and checked.</summary>
    sealed class EntryList<T>(CocoJsonReader owner, CocoJsonEntryKind kind, EntryReader<T> read, DirectEntryReader<T>? direct) : IJsonEntryReader
    {
        public List<T> Entries { get; } = [];

        public JsonEntryRead TryReadDirect(ref Utf8JsonReader reader)
        {
            if (direct is null)
                return JsonEntryRead.NotDirect;
            var outcome = direct(ref reader, out T entry);
            if (outcome == JsonEntryRead.Read)
                Entries.Add(entry);
            return outcome;
        }

        public void Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> json) =>
            Entries.Add(read(CocoJsonObject.Locate(ref reader, json, owner._path, kind, owner._index)));
    }
}
