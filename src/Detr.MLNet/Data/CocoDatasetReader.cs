using Detr.MLNet.Boxes;

namespace Detr.MLNet.Data;

/// <summary>What to do with images the annotations list but the folder lacks.</summary>
public enum MissingImagePolicy
{
    /// <summary>Leave them out and count them in the report (a warning is logged).</summary>
    Skip,

    /// <summary>Stop with an error listing the first missing files.</summary>
    Fail,
}

/// <summary>Reads COCO detection JSON (<c>images</c>, <c>annotations</c>, <c>categories</c>) into a <see cref="DetectionDataset"/>.</summary>
public static class CocoDatasetReader
{
    /// <summary>
    /// Reads <paramref name="annotationsPath"/>; image paths resolve against <paramref name="imageFolder"/> (default: the
    /// JSON's folder). Malformed JSON is reported with its line; a bad entry with its index and id.
    /// </summary>
    public static DetectionDataset Read(string annotationsPath, string? imageFolder = null, MissingImagePolicy missingImages = MissingImagePolicy.Skip)
    {
        if (!File.Exists(annotationsPath))
            throw new FileNotFoundException($"COCO annotation file not found: '{annotationsPath}'.", annotationsPath);
        imageFolder ??= Path.GetDirectoryName(Path.GetFullPath(annotationsPath))!;
        var file = CocoFileReader.Read(annotationsPath);
        return Build(file, annotationsPath, imageFolder, missingImages);
    }

    static DetectionDataset Build(CocoFile file, string source, string imageFolder, MissingImagePolicy missingImages)
    {
        var report = new DatasetReadReport();
        var categories = new List<DetectionCategory>();
        var categoryIds = new HashSet<int>();
        foreach (var (entry, index) in (file.Categories ?? throw new InvalidDataException($"{source}: no 'categories' array.")).Select((c, i) => (c, i)))
        {
            if (entry.Id is not int id || entry.Name is null)
                throw new InvalidDataException($"{source}: categories[{index}] needs an integer 'id' and a 'name'.");
            if (!categoryIds.Add(id))
                throw new InvalidDataException($"{source}: categories[{index}] repeats category id {id}.");
            categories.Add(new DetectionCategory(id, entry.Name));
        }

        var images = new Dictionary<int, (CocoImageEntry Entry, List<DetectionBox> Boxes)>();
        var order = new List<int>();
        foreach (var (entry, index) in (file.Images ?? throw new InvalidDataException($"{source}: no 'images' array.")).Select((e, i) => (e, i)))
        {
            if (entry.Id is not int id || entry.FileName is null || entry.Width is not > 0 || entry.Height is not > 0)
                throw new InvalidDataException($"{source}: images[{index}] needs an integer 'id', a 'file_name' and positive 'width'/'height'.");
            if (!images.TryAdd(id, (entry, new List<DetectionBox>())))
                throw new InvalidDataException($"{source}: images[{index}] repeats image id {id}.");
            order.Add(id);
        }

        var annotationIds = new HashSet<long>();
        foreach (var (entry, index) in (file.Annotations ?? []).Select((a, i) => (a, i)))
        {
            string where = $"{source}: annotations[{index}]" + (entry.Id is long aid ? $" (id {aid})" : "");
            if (entry.ImageId is not int imageId || entry.CategoryId is not int categoryId || entry.Bbox is not { Length: 4 } bbox)
                throw new InvalidDataException($"{where} needs 'image_id', 'category_id' and a 4-number 'bbox'.");
            if (entry.Id is long annotationId && !annotationIds.Add(annotationId))
                throw new InvalidDataException($"{where} repeats annotation id {annotationId}.");
            if (!categoryIds.Contains(categoryId))
                throw new InvalidDataException($"{where} has category_id {categoryId}, which 'categories' does not list.");
            if (!images.TryGetValue(imageId, out var image))
                throw new InvalidDataException($"{where} refers to image_id {imageId}, which 'images' does not list.");
            var (left, top, right, bottom) = BoxConversions.XywhToXyxy(bbox[0], bbox[1], bbox[2], bbox[3]);
            var clipped = BoxSanitizer.Clip(left, top, right, bottom, image.Entry.Width!.Value, image.Entry.Height!.Value, report, where);
            if (clipped is not var (x0, y0, x1, y1))
                continue;
            float area = (float)(entry.Area ?? bbox[2] * bbox[3]);
            image.Boxes.Add(new DetectionBox(categoryId, x0, y0, x1, y1, area, entry.IsCrowd == 1));
        }

        var result = new List<DetectionImage>(order.Count);
        var missing = new List<string>();
        foreach (int id in order)
        {
            var (entry, boxes) = images[id];
            string path = Path.Combine(imageFolder, entry.FileName!);
            if (!File.Exists(path))
            {
                missing.Add(path);
                report.Add(DatasetReadReport.Kinds.MissingImage, path);
                continue;
            }
            result.Add(new DetectionImage(id, path, entry.Width!.Value, entry.Height!.Value, boxes));
        }
        if (missing.Count > 0 && missingImages == MissingImagePolicy.Fail)
            throw new FileNotFoundException($"{source}: {missing.Count} image file(s) missing under '{imageFolder}', e.g. {string.Join(", ", missing.Take(3))}.");
        return new DetectionDataset(categories, result, report);
    }
}
