using Detr.MLNet.Imaging;

namespace Detr.Training.Augmentation;

/// <summary>
/// YOLO's mosaic at the images' own scale: four images share one canvas, split at a point into four quadrants, each
/// filled from one image's region, so every training image shows new neighbours and backgrounds without shrinking its
/// objects. Deterministic given its arguments; randomness lives in <see cref="DetrTrainAugmentation"/>.
/// </summary>
public static class Mosaic
{
    /// <summary>Grey of canvas pixels that no tile covers (YOLO's padding value).</summary>
    public const byte Padding = 114;

    /// <summary>
    /// A <paramref name="width"/>×<paramref name="height"/> canvas split at (<paramref name="splitX"/>,
    /// <paramref name="splitY"/>): quadrant k (top-left, top-right, bottom-left, bottom-right) shows
    /// <paramref name="tiles"/>[k] from its pixel <paramref name="offsets"/>[k] on. A box is kept, clipped to its
    /// quadrant, when at least <paramref name="minVisibleFraction"/> of its area remains (a sliver of an object is
    /// harder to learn from than to leave out).
    /// </summary>
    public static DetectionSample Combine(int width, int height, int splitX, int splitY, IReadOnlyList<DetectionSample> tiles,
        IReadOnlyList<(int Left, int Top)> offsets, double minVisibleFraction)
    {
        if (tiles.Count != 4 || offsets.Count != 4)
            throw new ArgumentException("A mosaic takes four tiles and four offsets.");
        if (splitX < 0 || splitX > width || splitY < 0 || splitY > height)
            throw new ArgumentOutOfRangeException(nameof(splitX), $"The split point ({splitX}, {splitY}) is outside the {width}x{height} canvas.");
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, Padding);
        var boxes = new List<float>();
        var labels = new List<int>();
        for (int k = 0; k < 4; k++)
        {
            int left = k % 2 == 0 ? 0 : splitX, right = k % 2 == 0 ? splitX : width;
            int top = k < 2 ? 0 : splitY, bottom = k < 2 ? splitY : height;
            var tile = tiles[k];
            var (sourceLeft, sourceTop) = offsets[k];
            // Canvas x maps to tile x − left + sourceLeft; copy the part of the quadrant the tile covers.
            int copyLeft = Math.Max(left, left - sourceLeft), copyRight = Math.Min(right, left - sourceLeft + tile.Image.Width);
            int copyTop = Math.Max(top, top - sourceTop), copyBottom = Math.Min(bottom, top - sourceTop + tile.Image.Height);
            for (int y = copyTop; y < copyBottom; y++)
                if (copyRight > copyLeft)
                    Array.Copy(tile.Image.Pixels, ((y - top + sourceTop) * tile.Image.Width + copyLeft - left + sourceLeft) * 3,
                        pixels, (y * width + copyLeft) * 3, (copyRight - copyLeft) * 3);
            for (int i = 0; i < tile.Count; i++)
            {
                float dx = left - sourceLeft, dy = top - sourceTop;
                float x0 = tile.Boxes[i * 4] + dx, y0 = tile.Boxes[i * 4 + 1] + dy, x1 = tile.Boxes[i * 4 + 2] + dx, y1 = tile.Boxes[i * 4 + 3] + dy;
                float cx0 = Math.Max(x0, copyLeft), cy0 = Math.Max(y0, copyTop), cx1 = Math.Min(x1, copyRight), cy1 = Math.Min(y1, copyBottom);
                if (cx1 <= cx0 || cy1 <= cy0 || (cx1 - cx0) * (cy1 - cy0) < minVisibleFraction * (x1 - x0) * (y1 - y0))
                    continue;
                boxes.AddRange([cx0, cy0, cx1, cy1]);
                labels.Add(tile.Labels[i]);
            }
        }
        return new DetectionSample(new RgbImage(pixels, width, height), boxes.ToArray(), labels.ToArray());
    }
}
