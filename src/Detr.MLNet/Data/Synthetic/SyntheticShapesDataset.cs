using Detr.MLNet.Imaging;
using SkiaSharp;

namespace Detr.MLNet.Data.Synthetic;

/// <summary>What <see cref="SyntheticShapesDataset.Write"/> produced.</summary>
public sealed record SyntheticShapesSummary(string Folder, string TrainAnnotations, string ValidationAnnotations,
    IReadOnlyList<string> ImagePaths, int TrainImages, int ValidationImages, int Objects);

/// <summary>
/// Writes a detection dataset of coloured shapes on varied backgrounds (solid, gradient, noise), COCO JSON plus PNGs,
/// with exact boxes: shapes are drawn without antialiasing from integer geometry, so each box is the shape's pixel
/// extent. Objects range from small to large and may overlap a little (never hidden). Deterministic for a seed. Needs nothing downloaded, so
/// demos, notebooks and tests can train and evaluate on it.
/// </summary>
public static class SyntheticShapesDataset
{
    /// <summary>Writes <c>images/*.png</c>, <c>train.json</c> and <c>val.json</c> under <paramref name="folder"/>.</summary>
    public static SyntheticShapesSummary Write(string folder, SyntheticShapesOptions options)
    {
        if (options.ImageCount < 1 || options.Classes.Count < 1 || options.MinObjects < 0 || options.MaxObjects < options.MinObjects)
            throw new ArgumentOutOfRangeException(nameof(options), "Need at least one image and one class, and 0 <= MinObjects <= MaxObjects.");
        string imageFolder = Path.Combine(folder, "images");
        Directory.CreateDirectory(imageFolder);
        var random = new Random(options.Seed);
        var categories = options.Classes.Select((c, i) => new DetectionCategory(i + 1, c.ToString().ToLowerInvariant())).ToArray();
        int validationCount = Math.Clamp((int)Math.Round(options.ImageCount * options.ValidationFraction), options.ImageCount > 1 ? 1 : 0, options.ImageCount - 1);
        var train = new List<DetectionImage>();
        var validation = new List<DetectionImage>();
        var paths = new List<string>();
        int objects = 0;
        for (int i = 0; i < options.ImageCount; i++)
        {
            string path = Path.Combine(imageFolder, $"shapes_{i:D5}.png");
            var boxes = DrawImage(path, options, random);
            objects += boxes.Count;
            var image = new DetectionImage(i + 1, path, options.Width, options.Height, boxes);
            (i < options.ImageCount - validationCount ? train : validation).Add(image);
            paths.Add(path);
        }
        string trainJson = Path.Combine(folder, "train.json"), validationJson = Path.Combine(folder, "val.json");
        CocoDatasetWriter.WriteDataset(new DetectionDataset(categories, train), trainJson, folder);
        CocoDatasetWriter.WriteDataset(new DetectionDataset(categories, validation), validationJson, folder);
        return new SyntheticShapesSummary(folder, trainJson, validationJson, paths, train.Count, validation.Count, objects);
    }

    static List<DetectionBox> DrawImage(string path, SyntheticShapesOptions options, Random random)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(options.Width, options.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            DrawBackground(canvas, bitmap, options, random);
            var boxes = new List<DetectionBox>();
            int count = random.Next(options.MinObjects, options.MaxObjects + 1);
            int shortSide = Math.Min(options.Width, options.Height);
            for (int n = 0; n < count; n++)
            {
                int classIndex = random.Next(options.Classes.Count);
                int size = Math.Max(4, (int)Math.Round(shortSide * (options.MinSize + random.NextDouble() * (options.MaxSize - options.MinSize))));
                var colour = SKColor.FromHsv(random.Next(360), 70 + random.Next(30), 70 + random.Next(30));
                if (FindPlace(boxes, size, options, random) is not var (x, y))
                    continue; // no place where it stays mostly visible
                var extent = DrawShape(canvas, options.Classes[classIndex], x, y, size, colour);
                boxes.Add(new DetectionBox(classIndex + 1, extent.Left, extent.Top, extent.Right, extent.Bottom, extent.Width * extent.Height, false));
            }
            canvas.Flush();
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            AtomicFile.Write(path, stream => data.SaveTo(stream));
            return boxes;
        }
    }

    // Objects may overlap, but a later shape covers at most 30% of an earlier one (or of itself), so every labelled
    // object stays recognisable. A few random tries, then the object is left out.
    static (int X, int Y)? FindPlace(List<DetectionBox> placed, int size, SyntheticShapesOptions options, Random random)
    {
        const double MaxCovered = 0.3;
        for (int attempt = 0; attempt < 20; attempt++)
        {
            int x = random.Next(0, options.Width - size + 1), y = random.Next(0, options.Height - size + 1);
            bool fits = placed.All(b =>
            {
                double w = Math.Min(b.X1, x + size) - Math.Max(b.X0, x), h = Math.Min(b.Y1, y + size) - Math.Max(b.Y0, y);
                double overlap = w > 0 && h > 0 ? w * h : 0;
                return overlap <= MaxCovered * Math.Min((b.X1 - b.X0) * (b.Y1 - b.Y0), (double)size * size);
            });
            if (fits)
                return (x, y);
        }
        return null;
    }

    static void DrawBackground(SKCanvas canvas, SKBitmap bitmap, SyntheticShapesOptions options, Random random)
    {
        var a = SKColor.FromHsv(random.Next(360), random.Next(40), 30 + random.Next(60));
        var b = SKColor.FromHsv(random.Next(360), random.Next(40), 30 + random.Next(60));
        switch (random.Next(3))
        {
            case 0:
                canvas.Clear(a);
                break;
            case 1:
                using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(options.Width, options.Height), [a, b], SKShaderTileMode.Clamp))
                using (var paint = new SKPaint { Shader = shader })
                    canvas.DrawRect(0, 0, options.Width, options.Height, paint);
                break;
            default:
                canvas.Clear(a);
                canvas.Flush();
                var pixels = new byte[options.Width * options.Height * 4];
                System.Runtime.InteropServices.Marshal.Copy(bitmap.GetPixels(), pixels, 0, pixels.Length);
                for (int i = 0; i < pixels.Length; i += 4)
                    for (int c = 0; c < 3; c++)
                        pixels[i + c] = (byte)Math.Clamp(pixels[i + c] + random.Next(-40, 41), 0, 255);
                System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
                break;
        }
    }

    // Returns the exact pixel extent [left, right) × [top, bottom) of what was drawn.
    static SKRectI DrawShape(SKCanvas canvas, SyntheticShape shape, int x, int y, int size, SKColor colour)
    {
        using var paint = new SKPaint { Color = colour, IsAntialias = false, Style = SKPaintStyle.Fill };
        switch (shape)
        {
            case SyntheticShape.Square:
                canvas.DrawRect(new SKRect(x, y, x + size, y + size), paint);
                return new SKRectI(x, y, x + size, y + size);
            case SyntheticShape.Cross:
                int third = Math.Max(1, size / 3);
                canvas.DrawRect(new SKRect(x + third, y, x + size - third, y + size), paint);
                canvas.DrawRect(new SKRect(x, y + third, x + size, y + size - third), paint);
                return new SKRectI(x, y, x + size, y + size);
            case SyntheticShape.Triangle:
            {
                using var path = new SKPath();
                path.MoveTo(x + size / 2f, y);
                path.LineTo(x + size, y + size);
                path.LineTo(x, y + size);
                path.Close();
                canvas.DrawPath(path, paint);
                return new SKRectI(x, y, x + size, y + size);
            }
            default:
                canvas.DrawOval(new SKRect(x, y, x + size, y + size), paint);
                return new SKRectI(x, y, x + size, y + size);
        }
    }

    /// <summary>Reads one of the written images back as RGB (for tests and pictures).</summary>
    public static RgbImage ReadImage(string path) =>
        RgbImage.DecodeUnpremultiplied(path) ?? throw new InvalidDataException($"Cannot decode '{path}'.");
}
