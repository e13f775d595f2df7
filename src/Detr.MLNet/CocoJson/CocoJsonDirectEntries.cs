using System.Text.Json;
using Detr.MLNet.Evaluation;

namespace Detr.MLNet.CocoJson;

/// <summary>
/// The two entry kinds a large COCO file is made of (results and annotations), read in one pass as the tokens come,
/// without locating the fields first. Only the plain shape is read here: each field a number (or the box four numbers),
/// unescaped names. Anything else (a null, a string where a number belongs, an escaped name, a missing field) returns
/// <see cref="JsonEntryRead.NotDirect"/>, and <see cref="CocoJsonEntries"/> reads the entry by the general path, which
/// gives the same values where they are valid and the messages where they are not. A repeated field keeps its last
/// value, as there.
/// </summary>
static class CocoJsonDirectEntries
{
    const int ResultFields = 1 << (int)CocoJsonField.ImageId | 1 << (int)CocoJsonField.CategoryId | 1 << (int)CocoJsonField.Bbox | 1 << (int)CocoJsonField.Score;
    const int AnnotationFields = 1 << (int)CocoJsonField.ImageId | 1 << (int)CocoJsonField.CategoryId | 1 << (int)CocoJsonField.Bbox
        | 1 << (int)CocoJsonField.Area | 1 << (int)CocoJsonField.IsCrowd | 1 << (int)CocoJsonField.Id;
    const int AnnotationRequired = 1 << (int)CocoJsonField.ImageId | 1 << (int)CocoJsonField.CategoryId | 1 << (int)CocoJsonField.Bbox;

    /// <summary>
    /// A result: <c>image_id</c>, <c>category_id</c>, <c>bbox</c> and <c>score</c>, as <see cref="CocoJsonEntries.Result"/>
    /// reads them.
    /// </summary>
    public static JsonEntryRead TryResult(ref Utf8JsonReader reader, out CocoDetection result)
    {
        result = default;
        var read = ReadFields(ref reader, ResultFields, out Fields f);
        if (read != JsonEntryRead.Read)
            return read;
        if (f.Present != ResultFields)
            return JsonEntryRead.NotDirect;
        result = new CocoDetection(f.ImageId, f.CategoryId, f.X, f.Y, f.W, f.H, f.Score);
        return JsonEntryRead.Read;
    }

    /// <summary>
    /// An annotation: <c>image_id</c>, <c>category_id</c>, <c>bbox</c>, <c>area</c> (default w × h), <c>iscrowd</c>
    /// (default 0) and <c>id</c>, as <see cref="CocoJsonEntries.Annotation"/> reads them.
    /// </summary>
    public static JsonEntryRead TryAnnotation(ref Utf8JsonReader reader, out CocoJsonAnnotation annotation)
    {
        annotation = default;
        var read = ReadFields(ref reader, AnnotationFields, out Fields f);
        if (read != JsonEntryRead.Read)
            return read;
        if ((f.Present & AnnotationRequired) != AnnotationRequired)
            return JsonEntryRead.NotDirect;
        var box = new CocoGroundTruthBox(f.ImageId, f.CategoryId, f.X, f.Y, f.W, f.H, f.Area ?? f.W * f.H, f.IsCrowd) { HasAnnotationIdZero = f.Id == 0 };
        annotation = new CocoJsonAnnotation(box, f.Id);
        return JsonEntryRead.Read;
    }

    /// <summary>The fields of one entry as read so far; a repeated field keeps its last value.</summary>
    struct Fields
    {
        public int Present; // bit per CocoJsonField read with a value
        public int ImageId, CategoryId;
        public double X, Y, W, H, Score;
        public double? Area, Id;
        public bool IsCrowd;
    }

    /// <summary>
    /// Walks the object <paramref name="reader"/> stands on, reading the <paramref name="wanted"/> fields (a bit per
    /// <see cref="CocoJsonField"/>) and skipping every other; a wanted field with a value the general path would refuse
    /// or convert makes it <see cref="JsonEntryRead.NotDirect"/>.
    /// </summary>
    static JsonEntryRead ReadFields(ref Utf8JsonReader reader, int wanted, out Fields f)
    {
        f = default;
        if (reader.TokenType != JsonTokenType.StartObject)
            return JsonEntryRead.NotDirect;
        while (true)
        {
            if (!reader.Read())
                return JsonEntryRead.NeedsMoreData;
            if (reader.TokenType == JsonTokenType.EndObject)
                return JsonEntryRead.Read;
            if (reader.ValueIsEscaped)
                return JsonEntryRead.NotDirect;
            CocoJsonField? field = Field(reader.ValueSpan);
            if (!reader.Read())
                return JsonEntryRead.NeedsMoreData;
            JsonEntryRead read = field is CocoJsonField known && (wanted & 1 << (int)known) != 0 ? ReadField(ref reader, known, ref f) : Skip(ref reader);
            if (read != JsonEntryRead.Read)
                return read;
        }
    }

    static JsonEntryRead ReadField(ref Utf8JsonReader reader, CocoJsonField field, ref Fields f)
    {
        bool valid;
        switch (field)
        {
            case CocoJsonField.ImageId:
                valid = Int(ref reader, out f.ImageId);
                break;
            case CocoJsonField.CategoryId:
                valid = Int(ref reader, out f.CategoryId);
                break;
            case CocoJsonField.Score:
                valid = Number(ref reader, out f.Score);
                break;
            case CocoJsonField.Bbox:
                var box = Box(ref reader, out f.X, out f.Y, out f.W, out f.H);
                if (box != JsonEntryRead.Read)
                    return box;
                valid = true;
                break;
            case CocoJsonField.Area:
                // null counts as absent (w × h); anything but a number is the general path's to refuse
                double area = 0;
                valid = reader.TokenType == JsonTokenType.Null || Number(ref reader, out area);
                f.Area = reader.TokenType == JsonTokenType.Null ? null : area;
                break;
            case CocoJsonField.IsCrowd:
                valid = Flag(ref reader, out f.IsCrowd);
                break;
            case CocoJsonField.Id:
                // Any value: a number is the id, anything else reads as no id (it only labels messages).
                f.Id = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out double number) ? number : null;
                return Skip(ref reader);
            default:
                return Skip(ref reader);
        }
        if (!valid)
            return JsonEntryRead.NotDirect;
        f.Present |= 1 << (int)field;
        return JsonEntryRead.Read;
    }

    /// <summary>The field an unescaped property name spells, or null for any other property.</summary>
    static CocoJsonField? Field(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when name.SequenceEqual("id"u8) => CocoJsonField.Id,
        4 when name.SequenceEqual("bbox"u8) => CocoJsonField.Bbox,
        4 when name.SequenceEqual("area"u8) => CocoJsonField.Area,
        5 when name.SequenceEqual("score"u8) => CocoJsonField.Score,
        7 when name.SequenceEqual("iscrowd"u8) => CocoJsonField.IsCrowd,
        8 when name.SequenceEqual("image_id"u8) => CocoJsonField.ImageId,
        11 when name.SequenceEqual("category_id"u8) => CocoJsonField.CategoryId,
        _ => null,
    };

    /// <summary>A number that is a 32-bit integer as written (3.0 and the like go the general way).</summary>
    static bool Int(ref Utf8JsonReader reader, out int value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value);
    }

    static bool Number(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value);
    }

    /// <summary><c>iscrowd</c>: true, false or a number (non-zero is true); absent or null is false.</summary>
    static bool Flag(ref Utf8JsonReader reader, out bool value)
    {
        value = false;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null or JsonTokenType.False:
                return true;
            case JsonTokenType.True:
                value = true;
                return true;
            case JsonTokenType.Number when reader.TryGetDouble(out double number):
                value = number != 0;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Exactly four numbers in an array.</summary>
    static JsonEntryRead Box(ref Utf8JsonReader reader, out double x, out double y, out double w, out double h)
    {
        x = y = w = h = 0;
        if (reader.TokenType != JsonTokenType.StartArray)
            return JsonEntryRead.NotDirect;
        Span<double> box = stackalloc double[4];
        for (int i = 0; i < 4; i++)
        {
            if (!reader.Read())
                return JsonEntryRead.NeedsMoreData;
            if (!Number(ref reader, out box[i]))
                return JsonEntryRead.NotDirect;
        }
        if (!reader.Read())
            return JsonEntryRead.NeedsMoreData;
        if (reader.TokenType != JsonTokenType.EndArray)
            return JsonEntryRead.NotDirect;
        (x, y, w, h) = (box[0], box[1], box[2], box[3]);
        return JsonEntryRead.Read;
    }

    /// <summary>Past a value of another field, however deep (a segmentation's polygons).</summary>
    static JsonEntryRead Skip(ref Utf8JsonReader reader) =>
        reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray) || reader.TrySkip()
            ? JsonEntryRead.Read
            : JsonEntryRead.NeedsMoreData;
}
