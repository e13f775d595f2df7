namespace Detr.MLNet.Data;

/// <summary>A detection category: the dataset's own id (COCO ids may be sparse) and its name.</summary>
public sealed record DetectionCategory(int Id, string Name);

/// <summary>One ground-truth box, x0,y0,x1,y1 in pixels, with COCO's area and crowd flag.</summary>
public readonly record struct DetectionBox(int CategoryId, float X0, float Y0, float X1, float Y1, float Area, bool IsCrowd);

/// <summary>One image and its boxes.</summary>
public sealed record DetectionImage(int Id, string Path, int Width, int Height, IReadOnlyList<DetectionBox> Boxes);

/// <summary>
/// A labelled detection dataset held compactly (one small record per image), read by the COCO, VOC and YOLO readers
/// and exposed to ML.NET as an <c>IDataView</c>. Problems that were repaired or skipped while reading are counted
/// in <see cref="Report"/>, never dropped silently.
/// </summary>
public sealed class DetectionDataset
{
    readonly Dictionary<int, int> _categoryIndex;

    /// <summary>Creates a dataset; category ids must be unique and every box's category must be listed.</summary>
    public DetectionDataset(IReadOnlyList<DetectionCategory> categories, IReadOnlyList<DetectionImage> images, DatasetReadReport? report = null)
    {
        Categories = categories;
        Images = images;
        Report = report ?? new DatasetReadReport();
        _categoryIndex = new Dictionary<int, int>();
        for (int i = 0; i < categories.Count; i++)
            if (!_categoryIndex.TryAdd(categories[i].Id, i))
                throw new InvalidDataException($"Duplicate category id {categories[i].Id} ('{categories[i].Name}').");
        foreach (var image in images)
            foreach (var box in image.Boxes)
                if (!_categoryIndex.ContainsKey(box.CategoryId))
                    throw new InvalidDataException($"Image {image.Id} ('{image.Path}') has a box of unknown category id {box.CategoryId}.");
    }

    /// <summary>Categories in key order: key k (1-based in ML.NET) is <c>Categories[k - 1]</c>.</summary>
    public IReadOnlyList<DetectionCategory> Categories { get; }

    /// <summary>Images with their boxes.</summary>
    public IReadOnlyList<DetectionImage> Images { get; }

    /// <summary>What reading repaired, skipped or found suspicious.</summary>
    public DatasetReadReport Report { get; }

    /// <summary>The 0-based class index of a dataset category id (the key minus one).</summary>
    public int ClassIndexOf(int categoryId) => _categoryIndex.TryGetValue(categoryId, out int index)
        ? index
        : throw new KeyNotFoundException($"Category id {categoryId} is not in this dataset.");
}
