using Detr.MLNet.Boxes;

namespace Detr.MLNet.Evaluation;

/// <summary>One ground-truth box in COCO convention: top-left corner, width and height in pixels.</summary>
/// <param name="ImageId">COCO image id the box belongs to.</param>
/// <param name="CategoryId">COCO category id of the object.</param>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Box width.</param>
/// <param name="Height">Box height.</param>
/// <param name="Area">
/// The annotation's <c>area</c> field (the segmentation area in COCO files, not width × height);
/// it alone decides the small/medium/large split for ground truth.
/// </param>
/// <param name="IsCrowd">True for <c>iscrowd</c> regions: never counted as positives, and may absorb any number of detections.</param>
/// <param name="Ignore">Extra opt-out: an ignored box is never a positive, like a crowd box but matched only once.</param>
public readonly record struct CocoGroundTruthBox(
    int ImageId,
    int CategoryId,
    double X,
    double Y,
    double Width,
    double Height,
    double Area,
    bool IsCrowd,
    bool Ignore = false)
{
    /// <summary>
    /// Set by the JSON reader for annotations whose <c>id</c> is 0. pycocotools records a match by storing the
    /// matched annotation id and later reads "id == 0" as "no match", so a detection matched to such a box counts
    /// as a false positive there; this flag reproduces that.
    /// </summary>
    internal bool HasAnnotationIdZero { get; init; }

    /// <summary>
    /// The box whose x0,y0,x1,y1 starts at <paramref name="boxes"/>[4·<paramref name="index"/>]; without an
    /// <paramref name="area"/> it is width × height in double (exact for float sides).
    /// </summary>
    public static CocoGroundTruthBox FromXyxy(int imageId, int categoryId, ReadOnlySpan<float> boxes, int index, double? area = null, bool isCrowd = false)
    {
        var (x, y, width, height) = BoxConversions.XyxyToXywh(boxes[index * 4], boxes[index * 4 + 1], boxes[index * 4 + 2], boxes[index * 4 + 3]);
        return new CocoGroundTruthBox(imageId, categoryId, x, y, width, height, area ?? (double)width * height, isCrowd);
    }
}
