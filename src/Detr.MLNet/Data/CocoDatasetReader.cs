using Detr.MLNet.Boxes;
using Detr.MLNet.CocoJson;

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
        var file = CocoJsonReader.ReadAnnotations(annotationsPath, CocoJsonRules.Dataset);
        imageFolder ??= Path.GetDirectoryName(Path.GetFullPath(annotationsPath))!;
        return Build(file, annotationsPath, imageFolder, missingImages);
    }

    /// <summary>The dataset of a file the reader has checked (<see cref="CocoJsonRules.Dataset"/>): ids agree, images have files and sizes.</summary>
    static DetectionDataset Build(CocoAnnotationFile file, string source, string imageFolder, MissingImagePolicy missingImages)
    {
        var report = new DatasetReadReport();
        var categories = file.Categories!.Select(c => new DetectionCategory(c.Id, c.Name!)).ToList();
        var boxes = file.Images.ToDictionary(image => image.Id, _ => new List<DetectionBox>());
        var sizes = file.Images.ToDictionary(image => image.Id, image => (image.Width, image.Height));
        foreach (var (annotation, index) in file.Annotations.Select((a, i) => (a, i)))
        {
            var box = annotation.Box;
            string where = $"'{source}': {CocoJsonLocation.Annotation(index, annotation.Id)}";
            var (left, top, right, bottom) = BoxConversions.XywhToXyxy(box.X, box.Y, box.Width, box.Height);
            var (width, height) = sizes[box.ImageId];
            if (BoxSanitizer.Clip(left, top, right, bottom, width, height, report, where) is not var (x0, y0, x1, y1))
                continue;
            boxes[box.ImageId].Add(new DetectionBox(box.CategoryId, x0, y0, x1, y1, (float)box.Area, box.IsCrowd));
        }

        var result = new List<DetectionImage>(file.Images.Count);
        var missing = new List<string>();
        foreach (var image in file.Images)
        {
            string path = Path.Combine(imageFolder, image.FileName!);
            if (!File.Exists(path))
            {
                missing.Add(path);
                report.Add(DatasetReadReport.Kinds.MissingImage, path);
                continue;
            }
            result.Add(new DetectionImage(image.Id, path, image.Width, image.Height, boxes[image.Id]));
        }
        if (missing.Count > 0 && missingImages == MissingImagePolicy.Fail)
            throw new FileNotFoundException($"{source}: {missing.Count} image file(s) missing under '{imageFolder}', e.g. {string.Join(", ", missing.Take(3))}.");
        return new DetectionDataset(categories, result, report);
    }
}
