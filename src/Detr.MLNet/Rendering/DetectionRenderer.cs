using Detr.MLNet.Imaging;
using SkiaSharp;

namespace Detr.MLNet.Rendering;

/// <summary>
/// Draws detections on an image with SkiaSharp: a class-coloured outline (with a thin dark halo so it shows on any
/// background) and a caption on a filled tab in the same colour, text in black or white for contrast.
/// </summary>
public static class DetectionRenderer
{
    /// <summary>Renders <paramref name="boxes"/> over <paramref name="image"/>; the caller disposes the bitmap.</summary>
    public static SKBitmap Render(RgbImage image, IEnumerable<DrawnBox> boxes, string? title = null)
    {
        var bitmap = ToBitmap(image);
        using var canvas = new SKCanvas(bitmap);
        float stroke = Math.Max(2f, Math.Min(image.Width, image.Height) / 200f);
        float textSize = Math.Max(11f, Math.Min(image.Width, image.Height) / 30f);
        using var font = new SKFont(Typeface, textSize);
        using var text = new SKPaint { IsAntialias = true };
        foreach (var box in boxes)
        {
            var colour = DetectionPalette.ColorFor(box.ClassId);
            var rect = new SKRect(box.X0, box.Y0, box.X1, box.Y1);
            using (var halo = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = stroke + 2, Color = new SKColor(0, 0, 0, 160) })
                canvas.DrawRect(rect, halo);
            using (var outline = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = stroke, Color = colour })
                canvas.DrawRect(rect, outline);
            DrawTab(canvas, font, text, box.Caption, box.X0, box.Y0, colour, image.Height);
        }
        if (title is not null)
            DrawTab(canvas, font, text, title, 0, textSize + 6, SKColors.Black, image.Height);
        return bitmap;
    }

    /// <summary>Ground truth (left) and predictions (right) side by side, titled.</summary>
    public static SKBitmap SideBySide(RgbImage image, IEnumerable<DrawnBox> groundTruth, IEnumerable<DrawnBox> predictions)
    {
        using var left = Render(image, groundTruth, "ground truth");
        using var right = Render(image, predictions, "predictions");
        const int gap = 8;
        var combined = new SKBitmap(left.Width + gap + right.Width, Math.Max(left.Height, right.Height));
        using var canvas = new SKCanvas(combined);
        canvas.Clear(SKColors.White);
        canvas.DrawBitmap(left, 0, 0);
        canvas.DrawBitmap(right, left.Width + gap, 0);
        return combined;
    }

    /// <summary>Encodes a bitmap as PNG and writes it atomically.</summary>
    public static void SavePng(SKBitmap bitmap, string path)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => data.SaveTo(stream));
    }

    static SKTypeface Typeface { get; } = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;

    // The caption sits above the box when there is room, else just inside its top edge.
    static void DrawTab(SKCanvas canvas, SKFont font, SKPaint ink, string text, float x, float y, SKColor colour, int imageHeight)
    {
        float width = font.MeasureText(text) + 6;
        float height = font.Size + 4;
        float top = y - height >= 0 ? y - height : Math.Min(y, imageHeight - height);
        using (var fill = new SKPaint { Style = SKPaintStyle.Fill, Color = colour })
            canvas.DrawRect(new SKRect(x, top, x + width, top + height), fill);
        ink.Color = DetectionPalette.TextOn(colour);
        canvas.DrawText(text, x + 3, top + font.Size, SKTextAlign.Left, font, ink);
    }

    static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[image.Width * image.Height * 4];
        for (int i = 0, j = 0; j < image.Pixels.Length; i += 4, j += 3)
        {
            rgba[i] = image.Pixels[j];
            rgba[i + 1] = image.Pixels[j + 1];
            rgba[i + 2] = image.Pixels[j + 2];
            rgba[i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }
}
