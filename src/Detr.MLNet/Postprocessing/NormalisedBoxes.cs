namespace Detr.MLNet.Postprocessing;

/// <summary>The heads' boxes (normalised cx,cy,w,h) as pixel corners of the original image.</summary>
public static class NormalisedBoxes
{
    /// <summary>Writes query <paramref name="query"/>'s box of <paramref name="boxes"/> [Q,4] as x0,y0,x1,y1 into <paramref name="destination"/>[0..4].</summary>
    public static void ToPixelCorners(ReadOnlySpan<float> boxes, int query, float scaleX, float scaleY, Span<float> destination)
    {
        float cx = boxes[query * 4], cy = boxes[query * 4 + 1], w = boxes[query * 4 + 2], h = boxes[query * 4 + 3];
        destination[0] = (cx - 0.5f * w) * scaleX;
        destination[1] = (cy - 0.5f * h) * scaleY;
        destination[2] = (cx + 0.5f * w) * scaleX;
        destination[3] = (cy + 0.5f * h) * scaleY;
    }
}
