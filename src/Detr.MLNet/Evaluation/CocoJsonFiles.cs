using System.Text.Json;

namespace Detr.MLNet.Evaluation;

/// <summary>
/// Reads the two JSON files of a COCO bbox evaluation — a ground-truth file and a results list — into the in-memory
/// types, applying the same defaults pycocotools does so that file-based and in-memory evaluation agree.
/// </summary>
public static class CocoJsonFiles
{
    /// <summary>
    /// Reads <c>images[].id</c>, <c>categories[].id</c> and <c>annotations[]</c> (<c>image_id</c>, <c>category_id</c>,
    /// <c>bbox</c> required; <c>area</c> defaults to bbox width × height, <c>iscrowd</c> to 0). An annotation's
    /// <c>ignore</c> field is not read: pycocotools overwrites it with <c>iscrowd</c> before evaluating. Without a
    /// <c>categories</c> list the annotations' category ids are used.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not JSON, or a required part is missing or mistyped.</exception>
    public static CocoGroundTruthFile ReadGroundTruth(string path)
    {
        using JsonDocument document = Parse(path);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{path}' must hold a JSON object with images, annotations and categories.");
        }

        if (!root.TryGetProperty("images", out JsonElement images) || images.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"'{path}' has no 'images' array.");
        }

        var imageIds = new List<int>(images.GetArrayLength());
        int index = 0;
        foreach (JsonElement image in images.EnumerateArray())
        {
            imageIds.Add(RequiredInt(image, "id", path, $"image {index}"));
            index++;
        }

        var boxes = new List<CocoGroundTruthBox>();
        if (root.TryGetProperty("annotations", out JsonElement annotations))
        {
            RequireArray(annotations, path, "annotations");
            index = 0;
            foreach (JsonElement annotation in annotations.EnumerateArray())
            {
                boxes.Add(ReadAnnotation(annotation, path, index));
                index++;
            }
        }

        List<int> categoryIds;
        if (root.TryGetProperty("categories", out JsonElement categories))
        {
            RequireArray(categories, path, "categories");
            categoryIds = new List<int>(categories.GetArrayLength());
            index = 0;
            foreach (JsonElement category in categories.EnumerateArray())
            {
                categoryIds.Add(RequiredInt(category, "id", path, $"category {index}"));
                index++;
            }
        }
        else
        {
            categoryIds = boxes.Select(box => box.CategoryId).Distinct().ToList();
        }

        return new CocoGroundTruthFile(imageIds.AsReadOnly(), categoryIds.AsReadOnly(), boxes.AsReadOnly());
    }

    /// <summary>
    /// Reads a results file: a JSON array of <c>{image_id, category_id, bbox: [x, y, w, h], score}</c>, all required.
    /// Other fields (<c>area</c>, <c>id</c>, <c>segmentation</c>) are ignored: pycocotools' loadRes recomputes area as
    /// w × h, numbers results itself and treats none as crowd.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not JSON, not an array, or a result lacks a field.</exception>
    public static IReadOnlyList<CocoDetection> ReadResults(string path)
    {
        using JsonDocument document = Parse(path);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"'{path}' must hold a JSON array of results, found {root.ValueKind}.");
        }

        var results = new List<CocoDetection>(root.GetArrayLength());
        int index = 0;
        foreach (JsonElement result in root.EnumerateArray())
        {
            string where = $"result {index}";
            RequireObject(result, path, where);
            int imageId = RequiredInt(result, "image_id", path, where);
            int categoryId = RequiredInt(result, "category_id", path, where);
            (double x, double y, double w, double h) = RequiredBox(result, path, where);
            double score = RequiredDouble(result, "score", path, where);
            results.Add(new CocoDetection(imageId, categoryId, x, y, w, h, score));
            index++;
        }

        return results.AsReadOnly();
    }

    private static CocoGroundTruthBox ReadAnnotation(JsonElement annotation, string path, int index)
    {
        string where = annotation.ValueKind == JsonValueKind.Object
            && annotation.TryGetProperty("id", out JsonElement idElement)
            && idElement.ValueKind == JsonValueKind.Number
            ? $"annotation {index} (id {idElement.GetRawText()})"
            : $"annotation {index}";
        RequireObject(annotation, path, where);

        int imageId = RequiredInt(annotation, "image_id", path, where);
        int categoryId = RequiredInt(annotation, "category_id", path, where);
        (double x, double y, double w, double h) = RequiredBox(annotation, path, where);
        double area = annotation.TryGetProperty("area", out JsonElement areaElement) && areaElement.ValueKind != JsonValueKind.Null
            ? AsDouble(areaElement, "area", path, where)
            : w * h;
        bool isCrowd = annotation.TryGetProperty("iscrowd", out JsonElement crowdElement) && AsFlag(crowdElement, path, where);
        bool idIsZero = annotation.TryGetProperty("id", out JsonElement id)
            && id.ValueKind == JsonValueKind.Number
            && id.TryGetDouble(out double idValue)
            && idValue == 0;
        return new CocoGroundTruthBox(imageId, categoryId, x, y, w, h, area, isCrowd) { HasAnnotationIdZero = idIsZero };
    }

    private static JsonDocument Parse(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = File.OpenRead(path);
        try
        {
            return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException error)
        {
            long line = (error.LineNumber ?? 0) + 1;
            long position = (error.BytePositionInLine ?? 0) + 1;
            throw new InvalidDataException(
                $"'{path}' is not valid JSON at line {line}, byte {position} of that line: {error.Message}", error);
        }
    }

    private static void RequireArray(JsonElement element, string path, string name)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"'{path}': '{name}' must be an array, found {element.ValueKind}.");
        }
    }

    private static void RequireObject(JsonElement element, string path, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{path}': {where} must be a JSON object, found {element.ValueKind}.");
        }
    }

    private static JsonElement Required(JsonElement owner, string name, string path, string where)
    {
        if (owner.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{path}': {where} must be a JSON object, found {owner.ValueKind}.");
        }

        if (!owner.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new InvalidDataException($"'{path}': {where} has no '{name}'.");
        }

        return value;
    }

    /// <summary>An integer id; an integral float such as 3.0 is accepted, as Python compares it equal to 3.</summary>
    private static int RequiredInt(JsonElement owner, string name, string path, string where)
    {
        JsonElement value = Required(owner, name, path, where);
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt32(out int exact))
            {
                return exact;
            }

            if (value.TryGetDouble(out double real) && real == Math.Floor(real) && real >= int.MinValue && real <= int.MaxValue)
            {
                return (int)real;
            }
        }

        throw new InvalidDataException($"'{path}': {where} has '{name}' = {value.GetRawText()}, not a 32-bit integer.");
    }

    private static double RequiredDouble(JsonElement owner, string name, string path, string where) =>
        AsDouble(Required(owner, name, path, where), name, path, where);

    private static double AsDouble(JsonElement value, string name, string path, string where)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number))
        {
            return number;
        }

        throw new InvalidDataException($"'{path}': {where} has '{name}' = {value.GetRawText()}, not a number.");
    }

    private static (double X, double Y, double W, double H) RequiredBox(JsonElement owner, string path, string where)
    {
        JsonElement box = Required(owner, "bbox", path, where);
        if (box.ValueKind != JsonValueKind.Array || box.GetArrayLength() != 4)
        {
            throw new InvalidDataException($"'{path}': {where} has 'bbox' = {box.GetRawText()}, not [x, y, width, height].");
        }

        return (
            AsDouble(box[0], "bbox", path, where),
            AsDouble(box[1], "bbox", path, where),
            AsDouble(box[2], "bbox", path, where),
            AsDouble(box[3], "bbox", path, where));
    }

    /// <summary><c>iscrowd</c> as pycocotools reads it: any non-zero number or true.</summary>
    private static bool AsFlag(JsonElement value, string path, string where) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False or JsonValueKind.Null => false,
        JsonValueKind.Number when value.TryGetDouble(out double number) => number != 0,
        _ => throw new InvalidDataException($"'{path}': {where} has 'iscrowd' = {value.GetRawText()}, not 0/1."),
    };
}
