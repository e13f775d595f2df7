using System.Globalization;
using System.Text.Json;

namespace Detr.MLNet.Labels;

/// <summary>
/// Finds class names for a model, first match wins: explicit names, the model's own metadata, a sidecar file next to
/// the model (<c>model.labels.txt</c>, <c>model.labels.json</c>, <c>labels.txt</c>, <c>labels.json</c>),
/// COCO's names when the model has 91 classes, else <c>class_N</c>.
/// </summary>
public static class LabelNameResolver
{
    /// <summary>Resolves <paramref name="classCount"/> names; a source with the wrong count is an error, not a guess.</summary>
    public static string[] Resolve(int classCount, IReadOnlyList<string>? explicitNames,
        IReadOnlyDictionary<string, string> modelMetadata, string? modelPath)
    {
        if (Declared(explicitNames, modelMetadata, modelPath) is var (names, source))
            return Checked(names, classCount, source);
        if (classCount == CocoCategoryNames.ById.Count)
            return CocoCategoryNames.ById.ToArray();
        return Enumerable.Range(0, classCount).Select(i => $"class_{i}").ToArray();
    }

    /// <summary>
    /// The names a model is given, unchecked, and where they came from: explicit names, the model's metadata or a
    /// sidecar file; null when none of them has any (COCO's and generic names are fallbacks, not declarations).
    /// </summary>
    public static (string[] Names, string Source)? Declared(IReadOnlyList<string>? explicitNames,
        IReadOnlyDictionary<string, string> modelMetadata, string? modelPath)
    {
        if (explicitNames is { Count: > 0 })
            return (explicitNames.ToArray(), "the LabelNames option");
        if (modelMetadata.TryGetValue(DetrModelMetadataKeys.Labels, out var json))
            return (ParseJsonNames(json, "model metadata " + DetrModelMetadataKeys.Labels), "the model's metadata");
        if (modelPath is not null && FindSidecar(modelPath) is string sidecar)
            return (ReadFile(sidecar), sidecar);
        return null;
    }

    /// <summary>Reads names from a text file (one per line) or a JSON file (array, or an <c>id2label</c> object).</summary>
    public static string[] ReadFile(string path)
    {
        string text = File.ReadAllText(path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            return ParseJsonNames(text, path);
        return text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0).ToArray();
    }

    static string? FindSidecar(string modelPath)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".";
        string stem = Path.GetFileNameWithoutExtension(modelPath);
        string[] candidates =
        [
            Path.Combine(directory, stem + ".labels.txt"), Path.Combine(directory, stem + ".labels.json"),
            Path.Combine(directory, "labels.txt"), Path.Combine(directory, "labels.json"),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    static string[] ParseJsonNames(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id2label", out var nested))
                root = nested;
            if (root.ValueKind == JsonValueKind.Array)
                return root.EnumerateArray().Select((e, i) => Name(e, $"element {i}", source)).ToArray();
            if (root.ValueKind == JsonValueKind.Object)
            {
                var byId = new Dictionary<int, string>();
                foreach (var p in root.EnumerateObject())
                {
                    // The ids become an array as long as the largest: a bound keeps a stray "2000000000" from costing gigabytes.
                    if (!int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id >= MaxClassId)
                        throw new InvalidDataException($"Label names in {source}: the id '{Quoted(p.Name)}' is not a class id (a whole number 0..{MaxClassId - 1}).");
                    if (!byId.TryAdd(id, Name(p.Value, $"id '{Quoted(p.Name)}'", source)))
                        throw new InvalidDataException($"Label names in {source} give class id {id} twice.");
                }
                int count = byId.Count == 0 ? 0 : byId.Keys.Max() + 1;
                return Enumerable.Range(0, count).Select(i => byId.TryGetValue(i, out var n) ? n : "N/A").ToArray();
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Label names in {source} are not valid JSON: {e.Message}", e);
        }
        throw new InvalidDataException($"Label names in {source} must be a JSON array or an id→name object.");
    }

    const int MaxClassId = 1_000_000;

    static string Name(JsonElement element, string which, string source) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Null => "",
        _ => throw new InvalidDataException($"Label names in {source}: {which} is a JSON {element.ValueKind.ToString().ToLowerInvariant()}, not a name (a string)."),
    };

    static string Quoted(string text) => text.Length <= 40 ? text : $"{text[..40]}…";

    static string[] Checked(IReadOnlyList<string> names, int classCount, string source)
    {
        if (names.Count != classCount)
            throw new InvalidDataException(
                $"{source} gives {names.Count} label names but the model predicts {classCount} classes (not counting a no-object column). " +
                "Give exactly one name per class.");
        return names.ToArray();
    }
}
