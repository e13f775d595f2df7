using Detr.MLNet.Boxes;

namespace Detr.MLNet.Evaluation;

/// <summary>One detection result in COCO convention: top-left corner, width and height in pixels, and a confidence.</summary>
/// <param name="ImageId">COCO image id the detection was made on.</param>
/// <param name="CategoryId">COCO category id predicted.</param>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Box width.</param>
/// <param name="Height">Box height.</param>
/// <param name="Score">Confidence; higher ranks first.</param>
public readonly record struct CocoDetection(
    int ImageId,
    int CategoryId,
    double X,
    double Y,
    double Width,
    double Height,
    double Score)
{
    /// <summary>Width × height, the area pycocotools' <c>loadRes</c> assigns to every box result.</summary>
    public double Area => Width * Height;

    /// <summary>The detection whose x0,y0,x1,y1 box starts at <paramref name="boxes"/>[4·<paramref name="index"/>] (ML.NET's box column layout).</summary>
    public static CocoDetection FromXyxy(int imageId, int categoryId, ReadOnlySpan<float> boxes, int index, float score)
    {
        var (x, y, width, height) = BoxConversions.XyxyToXywh(boxes[index * 4], boxes[index * 4 + 1], boxes[index * 4 + 2], boxes[index * 4 + 3]);
        return new CocoDetection(imageId, categoryId, x, y, width, height, score);
    }
}
