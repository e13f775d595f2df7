using System.Text.Json;
using Microsoft.ML.Data;

namespace Detr.MLNet.Tests;

/// <summary>Committed fixtures (made by tests/fixtures/*.py) and images the tests draw themselves.</summary>
static class Fixtures
{
    public static string Scoring(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "scoring", name);

    public static float[] ReadFloats(string name)
    {
        var bytes = File.ReadAllBytes(Scoring(name));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static long[] ReadLongs(string name)
    {
        var bytes = File.ReadAllBytes(Scoring(name));
        var values = new long[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static long[] Shape(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Scoring("io.json")));
        return doc.RootElement.GetProperty(name).GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
    }

    /// <summary>A deterministic RGB picture with edges, gradients and a few coloured shapes.</summary>
    public static byte[] DrawRgb(int width, int height, int seed)
    {
        var random = new Random(seed);
        var rgb = new byte[width * height * 3];
        int cx = random.Next(width / 4, 3 * width / 4), cy = random.Next(height / 4, 3 * height / 4), r = Math.Max(3, Math.Min(width, height) / 5);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * 3;
                bool disc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
                bool square = x > width / 8 && x < width / 8 + r && y > height / 8 && y < height / 8 + r;
                rgb[i] = (byte)(disc ? 230 : square ? 20 : x * 255 / width);
                rgb[i + 1] = (byte)(disc ? 40 : square ? 200 : y * 255 / height);
                rgb[i + 2] = (byte)(disc ? 60 : square ? 50 : (x + y + random.Next(16)) % 256);
            }
        return rgb;
    }

    /// <summary>The picture of <see cref="DrawRgb"/> as opaque RGBA.</summary>
    public static byte[] DrawRgba(int width, int height, int seed)
    {
        var rgb = DrawRgb(width, height, seed);
        var rgba = new byte[width * height * 4];
        for (int p = 0; p < width * height; p++)
        {
            rgba[p * 4] = rgb[p * 3];
            rgba[p * 4 + 1] = rgb[p * 3 + 1];
            rgba[p * 4 + 2] = rgb[p * 3 + 2];
            rgba[p * 4 + 3] = 255;
        }
        return rgba;
    }

    /// <summary>Writes a drawn picture as PNG (through ML.NET's image type, i.e. SkiaSharp).</summary>
    public static string WritePng(string directory, string name, int width, int height, int seed)
    {
        var rgba = DrawRgba(width, height, seed);
        using var image = MLImage.CreateFromPixels(width, height, MLPixelFormat.Rgba32, rgba);
        string path = Path.Combine(directory, name);
        image.Save(path);
        return path;
    }
}

/// <summary>A temporary folder deleted after the test.</summary>
sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("detr-tests-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
