using System.Diagnostics;
using Microsoft.ML.Data;

namespace Detr.Bench;

/// <summary>What the benchmark scores: a full-size DETR-R50 ONNX model and a handful of drawn PNGs. No downloads.</summary>
static class BenchFixtures
{
    public const int ImageWidth = 640;
    public const int ImageHeight = 480;
    public const int DistinctImages = 8;

    /// <summary>Makes sure <paramref name="modelPath"/> exists, exporting it with the repository's Python script if not.</summary>
    public static void EnsureModel(string modelPath)
    {
        if (File.Exists(modelPath))
            return;
        const string python = PythonBaseline.Interpreter;
        string script = RepositoryPaths.ModelScript;
        Console.WriteLine($"Model {modelPath} is missing: building a random-weight DETR-R50 and exporting it to ONNX");
        Console.WriteLine($"  running: {python} {script} {modelPath}   (about a minute)");
        var start = new ProcessStartInfo(python) { UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(modelPath);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {python}.");
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(modelPath))
            throw new InvalidOperationException($"{script} failed (exit code {process.ExitCode}); see its output above. " +
                "It needs Debian's python3-torch, python3-torchvision and python3-onnx.");
    }

    /// <summary>Draws <see cref="DistinctImages"/> deterministic 640×480 PNGs into <paramref name="folder"/>.</summary>
    public static string[] DrawImages(string folder)
    {
        var paths = new string[DistinctImages];
        for (int i = 0; i < paths.Length; i++)
        {
            var rgba = Draw(ImageWidth, ImageHeight, seed: i);
            using var image = MLImage.CreateFromPixels(ImageWidth, ImageHeight, MLPixelFormat.Rgba32, rgba);
            paths[i] = Path.Combine(folder, $"image{i}.png");
            image.Save(paths[i]);
        }
        return paths;
    }

    // Smooth gradients, a few filled shapes and mild noise: compresses and decodes like a photo-ish PNG would.
    static byte[] Draw(int width, int height, int seed)
    {
        var random = new Random(seed);
        var shapes = Enumerable.Range(0, 6).Select(_ => (X: random.Next(width), Y: random.Next(height), R: random.Next(20, 120),
            Color: (R: (byte)random.Next(256), G: (byte)random.Next(256), B: (byte)random.Next(256)))).ToArray();
        var rgba = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * 4;
                byte r = (byte)(x * 255 / width), g = (byte)(y * 255 / height), b = (byte)((x + y + seed * 40) % 256);
                foreach (var s in shapes)
                    if ((x - s.X) * (x - s.X) + (y - s.Y) * (y - s.Y) < s.R * s.R)
                        (r, g, b) = s.Color;
                int noise = random.Next(-6, 7);
                rgba[i] = (byte)Math.Clamp(r + noise, 0, 255);
                rgba[i + 1] = (byte)Math.Clamp(g + noise, 0, 255);
                rgba[i + 2] = (byte)Math.Clamp(b + noise, 0, 255);
                rgba[i + 3] = 255;
            }
        return rgba;
    }
}
