using Detr.MLNet.Imaging;
using Detr.MLNet.Preprocessing;

namespace Detr.Training.Augmentation;

/// <summary>
/// The reference's image-and-box transforms (datasets/transforms.py): every operation moves the boxes with the pixels.
/// Deterministic given their arguments; randomness lives in <see cref="DetrTrainAugmentation"/>.
/// </summary>
public static class GeometricTransforms
{
    /// <summary>Mirror left-right: x → width − x, so x0 and x1 swap.</summary>
    public static DetectionSample HorizontalFlip(DetectionSample sample)
    {
        var image = sample.Image;
        var pixels = new byte[image.Pixels.Length];
        int stride = image.Width * 3;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                int from = y * stride + x * 3, to = y * stride + (image.Width - 1 - x) * 3;
                pixels[to] = image.Pixels[from];
                pixels[to + 1] = image.Pixels[from + 1];
                pixels[to + 2] = image.Pixels[from + 2];
            }
        var boxes = new float[sample.Boxes.Length];
        for (int i = 0; i < sample.Count; i++)
        {
            boxes[i * 4] = image.Width - sample.Boxes[i * 4 + 2];
            boxes[i * 4 + 1] = sample.Boxes[i * 4 + 1];
            boxes[i * 4 + 2] = image.Width - sample.Boxes[i * 4];
            boxes[i * 4 + 3] = sample.Boxes[i * 4 + 3];
        }
        return sample with { Image = image with { Pixels = pixels }, Boxes = boxes };
    }

    /// <summary>Resizes so the short side is <paramref name="shortSide"/> (long side capped), Pillow bilinear, boxes scaled.</summary>
    public static DetectionSample Resize(DetectionSample sample, int shortSide, int? maxSize)
    {
        var image = sample.Image;
        var (height, width) = DetrResizePlan.ShortestEdge(image.Width, image.Height, shortSide, maxSize);
        if (height == image.Height && width == image.Width)
            return sample;
        var pixels = new byte[width * height * 3];
        PillowBilinearResize.Resize(image.Pixels, image.Width, image.Height, pixels, width, height);
        float ratioX = (float)width / image.Width, ratioY = (float)height / image.Height;
        var boxes = new float[sample.Boxes.Length];
        for (int i = 0; i < sample.Count; i++)
        {
            boxes[i * 4] = sample.Boxes[i * 4] * ratioX;
            boxes[i * 4 + 1] = sample.Boxes[i * 4 + 1] * ratioY;
            boxes[i * 4 + 2] = sample.Boxes[i * 4 + 2] * ratioX;
            boxes[i * 4 + 3] = sample.Boxes[i * 4 + 3] * ratioY;
        }
        return sample with { Image = new RgbImage(pixels, width, height), Boxes = boxes };
    }

    /// <summary>
    /// Crops the region at (<paramref name="top"/>, <paramref name="left"/>) of the given size. Boxes are shifted and
    /// clipped to it; boxes left with no width or height are dropped, as the reference does.
    /// </summary>
    public static DetectionSample Crop(DetectionSample sample, int top, int left, int height, int width)
    {
        var image = sample.Image;
        if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > image.Height || left + width > image.Width)
            throw new ArgumentOutOfRangeException(nameof(top), $"Crop {left},{top} {width}x{height} is outside the {image.Width}x{image.Height} image.");
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            Array.Copy(image.Pixels, ((top + y) * image.Width + left) * 3, pixels, y * width * 3, width * 3);
        var boxes = new List<float>(sample.Boxes.Length);
        var labels = new List<int>(sample.Count);
        for (int i = 0; i < sample.Count; i++)
        {
            float x0 = Math.Clamp(sample.Boxes[i * 4] - left, 0, width), y0 = Math.Clamp(sample.Boxes[i * 4 + 1] - top, 0, height);
            float x1 = Math.Clamp(sample.Boxes[i * 4 + 2] - left, 0, width), y1 = Math.Clamp(sample.Boxes[i * 4 + 3] - top, 0, height);
            if (x1 <= x0 || y1 <= y0)
                continue;
            boxes.AddRange([x0, y0, x1, y1]);
            labels.Add(sample.Labels[i]);
        }
        return new DetectionSample(new RgbImage(pixels, width, height), boxes.ToArray(), labels.ToArray());
    }
}
