using Microsoft.ML.Data;
using SkiaSharp;

namespace Detr.MLNet.Imaging;

/// <summary>An 8-bit RGB image, 3 bytes per pixel, rows without padding.</summary>
public sealed record RgbImage(byte[] Pixels, int Width, int Height)
{
    /// <summary>
    /// Copies an ML.NET image as RGB, dropping alpha as PIL's <c>convert("RGB")</c> does. ML.NET decodes through
    /// SkiaSharp, which premultiplies alpha; for a translucent image loaded from a file (its <c>Tag</c> is the path)
    /// the file is decoded again unpremultiplied so the colours equal the reference's.
    /// </summary>
    public static RgbImage FromMLImage(MLImage image)
    {
        if (image.BitsPerPixel != 32 || image.PixelFormat is not (MLPixelFormat.Bgra32 or MLPixelFormat.Rgba32))
            throw new NotSupportedException($"Unsupported image pixel format {image.PixelFormat} ({image.BitsPerPixel} bits).");
        var source = image.Pixels;
        // The file was checked (limit, damage) before ML.NET decoded it, so this second decode skips the checks.
        if (HasTranslucency(source) && image.Tag is { Length: > 0 } path && File.Exists(path) && DecodeStraight(path) is RgbImage exact)
            return exact;
        return FromInterleaved(source, image.Width, image.Height, bgr: image.PixelFormat == MLPixelFormat.Bgra32);
    }

    /// <summary>
    /// Decodes an image file as RGB with straight (unpremultiplied) colours; null if Skia cannot decode it. The file is
    /// checked first (<see cref="ImageFileGuard.Check"/>: pixel limit, truncation), and a decode SkiaSharp reports as
    /// incomplete is an <see cref="InvalidDataException"/> rather than a partly blank picture.
    /// </summary>
    public static RgbImage? DecodeUnpremultiplied(string path, long? maxImagePixels = ImageFileGuard.DefaultMaxPixels)
    {
        ImageFileGuard.Check(path, maxImagePixels);
        return DecodeStraight(path);
    }

    static RgbImage? DecodeStraight(string path)
    {
        using var codec = SKCodec.Create(path);
        if (codec is null)
            return null;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput)
            throw new InvalidDataException($"'{path}' is not a readable image: SkiaSharp decoded it only partly ({result}; truncated or corrupt).");
        if (result != SKCodecResult.Success)
            return null;
        return FromInterleaved(bitmap.GetPixelSpan(), info.Width, info.Height, bgr: false);
    }

    static bool HasTranslucency(ReadOnlySpan<byte> fourChannel)
    {
        for (int i = 3; i < fourChannel.Length; i += 4)
            if (fourChannel[i] != 255)
                return true;
        return false;
    }

    static RgbImage FromInterleaved(ReadOnlySpan<byte> source, int width, int height, bool bgr)
    {
        var rgb = new byte[width * height * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = bgr ? source[i + 2] : source[i];
            rgb[j + 1] = source[i + 1];
            rgb[j + 2] = bgr ? source[i] : source[i + 2];
        }
        return new RgbImage(rgb, width, height);
    }
}
