using Detr.MLNet.Data;

namespace Detr.Training.Export.Quantization;

/// <summary>
/// The image files INT8 export calibrates on: every image in a folder, or the images a COCO annotation file lists.
/// When fewer are asked for than there are, they are taken evenly spread over the sorted list (deterministic).
/// </summary>
public static class CalibrationImageSet
{
    /// <summary>File extensions read from a folder (case-insensitive).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>
    /// A folder's images (<paramref name="source"/> is a directory) or a COCO file's (a <c>.json</c> file, its
    /// images resolved against <paramref name="imageFolder"/> or the file's folder); at most <paramref name="maxImages"/>.
    /// </summary>
    public static IReadOnlyList<string> Resolve(string source, string? imageFolder = null, int? maxImages = null)
    {
        if (Directory.Exists(source))
            return FromFolder(source, maxImages);
        if (File.Exists(source))
            return source.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                ? FromCoco(source, imageFolder, maxImages)
                : throw new ArgumentException($"Calibration source '{source}' is a file but not a COCO .json file; give an image folder or a COCO annotation file.");
        throw new FileNotFoundException($"Calibration source not found: '{source}' (an image folder or a COCO .json file).", source);
    }

    /// <summary>The images directly inside <paramref name="folder"/>, sorted by name.</summary>
    public static IReadOnlyList<string> FromFolder(string folder, int? maxImages = null)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Calibration image folder not found: '{folder}'.");
        var files = Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
            throw new InvalidDataException($"Calibration image folder '{folder}' holds no images ({string.Join(", ", Extensions)}).");
        return Spread(files, maxImages);
    }

    /// <summary>The images <paramref name="annotations"/> lists that exist, in its order.</summary>
    public static IReadOnlyList<string> FromCoco(string annotations, string? imageFolder = null, int? maxImages = null)
    {
        var dataset = CocoDatasetReader.Read(annotations, imageFolder);
        if (dataset.Images.Count == 0)
            throw new InvalidDataException($"'{annotations}' lists no image that exists" +
                (imageFolder is null ? "" : $" under '{imageFolder}'") + "; INT8 calibration needs at least one.");
        return Spread(dataset.Images.Select(i => i.Path).ToList(), maxImages);
    }

    /// <summary><paramref name="count"/> of <paramref name="items"/> evenly spread (all when null or not fewer).</summary>
    public static IReadOnlyList<string> Spread(IReadOnlyList<string> items, int? count)
    {
        if (count is < 1)
            throw new ArgumentOutOfRangeException(nameof(count), $"The number of calibration images must be at least 1 (got {count}).");
        if (count is not int n || n >= items.Count)
            return items;
        return Enumerable.Range(0, n).Select(i => items[(int)((long)i * items.Count / n)]).ToList();
    }
}
