using System.Text.Json;
using Detr.MLNet.Boxes;
using Detr.MLNet.Evaluation;

namespace Detr.MLNet.Data;

/// <summary>Writes datasets as COCO detection JSON and detections as COCO results JSON, atomically.</summary>
public static class CocoDatasetWriter
{
    /// <summary>Writes <paramref name="dataset"/> so any source (VOC, YOLO, synthetic) can be converted to COCO.</summary>
    public static void WriteDataset(DetectionDataset dataset, string path, string? imageFolder = null)
    {
        long annotationId = 1;
        var file = new CocoFile
        {
            Categories = dataset.Categories.Select(c => new CocoCategoryEntry { Id = c.Id, Name = c.Name }).ToList(),
            Images = dataset.Images.Select(i => new CocoImageEntry
            {
                Id = i.Id,
                FileName = imageFolder is null ? Path.GetFileName(i.Path) : Path.GetRelativePath(imageFolder, i.Path),
                Width = i.Width,
                Height = i.Height,
            }).ToList(),
            Annotations = dataset.Images.SelectMany(i => i.Boxes.Select(b => new CocoAnnotationEntry
            {
                Id = annotationId++,
                ImageId = i.Id,
                CategoryId = b.CategoryId,
                Bbox = Xywh(BoxConversions.XyxyToXywh(b.X0, b.Y0, b.X1, b.Y1)),
                Area = b.Area,
                IsCrowd = b.IsCrowd ? 1 : 0,
            })).ToList(),
        };
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, file));
    }

    /// <summary>Writes detections in COCO's results format (image_id, category_id, bbox x,y,w,h, score).</summary>
    public static void WriteResults(IEnumerable<CocoResultEntry> results, string path) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, results));

    /// <summary>Writes detections in COCO's results format, as the evaluator scored them.</summary>
    public static void WriteResults(IEnumerable<CocoDetection> detections, string path) =>
        WriteResults(detections.Select(d => new CocoResultEntry { ImageId = d.ImageId, CategoryId = d.CategoryId, Bbox = [d.X, d.Y, d.Width, d.Height], Score = d.Score }), path);

    static double[] Xywh((float X, float Y, float Width, float Height) box) => [box.X, box.Y, box.Width, box.Height];
}
