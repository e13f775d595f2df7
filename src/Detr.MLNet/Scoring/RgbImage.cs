using Microsoft.ML.Data;

namespace Detr.MLNet.Scoring;

/// <summary>An 8-bit RGB image, 3 bytes per pixel, rows without padding.</summary>
public sealed record RgbImage(byte[] Pixels, int Width, int Height)
{
    /// <summary>Copies an ML.NET image as RGB (alpha dropped, as PIL's <c>convert("RGB")</c> does).</summary>
    public static RgbImage FromMLImage(MLImage image)
    {
        if (image.BitsPerPixel != 32 || image.PixelFormat is not (MLPixelFormat.Bgra32 or MLPixelFormat.Rgba32))
            throw new NotSupportedException($"Unsupported image pixel format {image.PixelFormat} ({image.BitsPerPixel} bits).");
        var source = image.Pixels;
        var rgb = new byte[image.Width * image.Height * 3];
        bool bgr = image.PixelFormat == MLPixelFormat.Bgra32;
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = bgr ? source[i + 2] : source[i];
            rgb[j + 1] = source[i + 1];
            rgb[j + 2] = bgr ? source[i] : source[i + 2];
        }
        return new RgbImage(rgb, image.Width, image.Height);
    }
}
