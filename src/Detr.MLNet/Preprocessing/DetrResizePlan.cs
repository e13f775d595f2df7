namespace Detr.MLNet.Preprocessing;

/// <summary>Output size rules of the DETR reference preprocessing.</summary>
public static class DetrResizePlan
{
    /// <summary>
    /// The reference's <c>get_size_with_aspect_ratio</c>: the short side becomes <paramref name="shortestEdge"/>
    /// unless that would push the long side past <paramref name="longestEdge"/>, in which case the short side shrinks.
    /// Integer truncation of the long side is part of the reference and kept here.
    /// </summary>
    public static (int Height, int Width) ShortestEdge(int width, int height, int shortestEdge, int? longestEdge)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height} is not positive.");
        int size = shortestEdge;
        if (longestEdge is int maxSize)
        {
            double minOriginal = Math.Min(width, height);
            double maxOriginal = Math.Max(width, height);
            if (maxOriginal / minOriginal * size > maxSize)
                size = (int)Math.Round(maxSize * minOriginal / maxOriginal, MidpointRounding.ToEven);
        }
        if ((width <= height && width == size) || (height <= width && height == size))
            return (height, width);
        return width < height
            ? ((int)((double)size * height / width), size)
            : (size, (int)((double)size * width / height));
    }

    /// <summary>
    /// For models exported with a fixed input size: the largest aspect-preserving size that fits inside it
    /// (the rest is zero padding).
    /// </summary>
    public static (int Height, int Width) FitInside(int width, int height, int targetHeight, int targetWidth)
    {
        double scale = Math.Min((double)targetHeight / height, (double)targetWidth / width);
        int outHeight = Math.Clamp((int)Math.Round(height * scale), 1, targetHeight);
        int outWidth = Math.Clamp((int)Math.Round(width * scale), 1, targetWidth);
        return (outHeight, outWidth);
    }
}
