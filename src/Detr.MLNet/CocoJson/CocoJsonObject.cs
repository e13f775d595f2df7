using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Detr.MLNet.CocoJson;

/// <summary>
/// One entry of a COCO file (an image, category, annotation or result), all of whose bytes are in the buffer. Its
/// fields are located in one pass and read on demand, so that whatever order they come in, a message names the entry by
/// its position and id. A field set to null counts as absent, as pycocotools' defaults treat it.
/// </summary>
ref struct CocoJsonObject
{
    /// <summary>Far deeper than COCO nests (polygons, free-form <c>info</c>): Python's json, which pycocotools uses, reads past the default 64.</summary>
    public static readonly JsonReaderOptions Options = new() { MaxDepth = 256 };

    readonly ReadOnlySpan<byte> _json;
    readonly string _path;
    readonly CocoJsonEntryKind _kind;
    readonly int _index;
    FieldStarts _starts;

    CocoJsonObject(ReadOnlySpan<byte> json, string path, CocoJsonEntryKind kind, int index)
    {
        _json = json;
        _path = path;
        _kind = kind;
        _index = index;
    }

    /// <summary>Finds the known fields of the object <paramref name="reader"/> stands on, or refuses a non-object.</summary>
    public static CocoJsonObject Locate(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, string path, CocoJsonEntryKind kind, int index)
    {
        var entry = new CocoJsonObject(json, path, kind, index);
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new InvalidDataException($"'{path}': {entry.Where} must be a JSON object, found {KindName(reader.TokenType)}.");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            CocoJsonField? field = CocoJsonFieldNames.Find(ref reader);
            reader.Read();
            if (field is CocoJsonField known)
                entry._starts[(int)known] = reader.TokenType == JsonTokenType.Null ? 0 : (int)reader.TokenStartIndex + 1; // last one wins, as in a dictionary
            reader.TrySkip(); // always succeeds: the whole entry is in the buffer, which is not the final block
        }
        return entry;
    }

    /// <summary>"annotation 3 (id 7)": the entry as messages name it.</summary>
    public readonly string Where => _kind == CocoJsonEntryKind.Annotation
        ? CocoJsonLocation.Annotation(_index, NumberOrNull(CocoJsonField.Id))
        : CocoJsonLocation.Of(_kind, _index);

    public readonly bool Has(CocoJsonField field) => _starts[(int)field] > 0;

    /// <summary>An integer id or count; an integral float such as 3.0 is accepted, as Python compares it equal to 3.</summary>
    public readonly int RequiredInt(CocoJsonField field)
    {
        var value = Value(field);
        if (value.TokenType == JsonTokenType.Number)
        {
            if (value.TryGetInt32(out int exact))
                return exact;
            if (value.TryGetDouble(out double real) && real == Math.Floor(real) && real >= int.MinValue && real <= int.MaxValue)
                return (int)real;
        }
        throw Invalid(field, "not a 32-bit integer");
    }

    public readonly int RequiredPositiveInt(CocoJsonField field)
    {
        int value = RequiredInt(field);
        return value > 0 ? value : throw Invalid(field, "not a positive integer");
    }

    public readonly double RequiredDouble(CocoJsonField field) => NumberOrNull(Value(field)) ?? throw Invalid(field, "not a number");

    /// <summary>The number, or null when the field is absent; present but not a number is refused.</summary>
    public readonly double? OptionalDouble(CocoJsonField field) => Has(field) ? RequiredDouble(field) : null;

    /// <summary>The number, or null when the field is absent or holds something else (ids that only label messages).</summary>
    public readonly double? NumberOrNull(CocoJsonField field) => Has(field) ? NumberOrNull(Value(field)) : null;

    /// <summary><c>iscrowd</c> as pycocotools reads it: any non-zero number or true; absent is false.</summary>
    public readonly bool Flag(CocoJsonField field)
    {
        if (!Has(field))
            return false;
        var value = Value(field);
        return value.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Number when value.TryGetDouble(out double number) => number != 0,
            _ => throw Invalid(field, "not 0/1"),
        };
    }

    public readonly string RequiredString(CocoJsonField field) => StringOrNull(Value(field)) ?? throw Invalid(field, "not a string");

    /// <summary>The string, or null when the field is absent or holds something else.</summary>
    public readonly string? StringOrNull(CocoJsonField field) => Has(field) ? StringOrNull(Value(field)) : null;

    /// <summary>The <c>bbox</c> as [x, y, width, height]: exactly four numbers.</summary>
    public readonly (double X, double Y, double W, double H) RequiredBox()
    {
        var value = Value(CocoJsonField.Bbox);
        Span<double> box = stackalloc double[4];
        int count = 0;
        if (value.TokenType == JsonTokenType.StartArray)
        {
            while (value.Read() && value.TokenType != JsonTokenType.EndArray)
            {
                if (count == 4 || NumberOrNull(value) is not double number)
                {
                    count = -1;
                    break;
                }
                box[count++] = number;
            }
        }
        if (count != 4)
            throw new InvalidDataException($"'{_path}': {Where} needs a 4-number 'bbox' [x, y, width, height], not {RawText(CocoJsonField.Bbox)}.");
        return (box[0], box[1], box[2], box[3]);
    }

    /// <summary>A reader standing on the field's value; an absent field is refused by name.</summary>
    readonly Utf8JsonReader Value(CocoJsonField field)
    {
        int start = _starts[(int)field];
        if (start == 0)
            throw new InvalidDataException($"'{_path}': {Where} has no '{CocoJsonFieldNames.Of(field)}'.");
        var reader = new Utf8JsonReader(_json[(start - 1)..], Options);
        reader.Read();
        return reader;
    }

    readonly InvalidDataException Invalid(CocoJsonField field, string problem) =>
        new($"'{_path}': {Where} has '{CocoJsonFieldNames.Of(field)}' = {RawText(field)}, {problem}.");

    /// <summary>The value as written in the file, for messages (long values cut short).</summary>
    readonly string RawText(CocoJsonField field)
    {
        var value = Value(field);
        value.Skip();
        var raw = _json.Slice(_starts[(int)field] - 1, (int)value.BytesConsumed);
        const int Longest = 200;
        return raw.Length <= Longest ? Encoding.UTF8.GetString(raw) : Encoding.UTF8.GetString(raw[..Longest]) + "…";
    }

    static double? NumberOrNull(Utf8JsonReader value) =>
        value.TokenType == JsonTokenType.Number && value.TryGetDouble(out double number) ? number : null;

    static string? StringOrNull(Utf8JsonReader value)
    {
        if (value.TokenType != JsonTokenType.String)
            return null;
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null; // not valid UTF-8: refused as "not a string" with the bytes it holds
        }
    }

    /// <summary>The token's kind as <c>JsonValueKind</c> names it (what the messages said before).</summary>
    public static string KindName(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => nameof(JsonValueKind.Object),
        JsonTokenType.StartArray => nameof(JsonValueKind.Array),
        _ => token.ToString(),
    };

    /// <summary>Where each field's value starts, plus one (0: absent).</summary>
    [InlineArray(CocoJsonFieldNames.Count)]
    struct FieldStarts
    {
        int _first;
    }
}
