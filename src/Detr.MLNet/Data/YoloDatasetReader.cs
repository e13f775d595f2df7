using System.Globalization;
using Detr.MLNet.Boxes;

namespace Detr.MLNet.Data;

/// <summary>
/// Reads the common YOLO layout: an image folder, a label folder with one <c>.txt</c> per image holding
/// <c>class cx cy w h</c> lines (normalised to the image), and a class list (one name per line).
/// </summary>
public static class YoloDatasetReader
{
    static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>Reads images in <paramref name="imageFolder"/> with labels from <paramref name="labelFolder"/>; an image without a label file has no boxes.</summary>
    public static DetectionDataset Read(string imageFolder, string labelFolder, string classesFile)
    {
        if (!File.Exists(classesFile))
            throw new FileNotFoundException($"YOLO class list not found: '{classesFile}'.", classesFile);
        var names = File.ReadAllLines(classesFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        var report = new DatasetReadReport();
        var images = new List<DetectionImage>();
        var files = Directory.GetFiles(imageFolder).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToArray();
        for (int i = 0; i < files.Length; i++)
        {
            var (width, height) = ImageSize.Read(files[i]);
            string labels = Path.Combine(labelFolder, Path.GetFileNameWithoutExtension(files[i]) + ".txt");
            var boxes = File.Exists(labels) ? ReadBoxes(labels, classesFile, names.Length, width, height, report) : [];
            images.Add(new DetectionImage(i + 1, files[i], width, height, boxes));
        }
        return new DetectionDataset(names.Select((n, i) => new DetectionCategory(i, n)).ToArray(), images, report);
    }

    static List<DetectionBox> ReadBoxes(string file, string classesFile, int classCount, int width, int height, DatasetReadReport report)
    {
        var boxes = new List<DetectionBox>();
        var lines = File.ReadAllLines(file);
        for (int n = 0; n < lines.Length; n++)
        {
            var parts = lines[n].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
                continue;
            string where = $"{file}:{n + 1}";
            if (parts.Length != 5 || !int.TryParse(parts[0], out int cls) ||
                !TryFloats(parts.AsSpan(1), out float cx, out float cy, out float w, out float h))
                throw new InvalidDataException($"{where}: expected 'class cx cy w h' (normalised numbers), got '{Clipped(lines[n])}'.");
            if (cls < 0 || cls >= classCount)
                throw new InvalidDataException(classCount == 0
                    ? $"{where}: class {cls}, but the class list '{classesFile}' names no classes."
                    : $"{where}: class {cls} is outside the class list '{classesFile}' (0..{classCount - 1}, one name a line).");
            var (left, top, right, bottom) = BoxConversions.CxCyWhToXyxy(cx, cy, w, h);
            if (BoxSanitizer.Clip(left * width, top * height, right * width, bottom * height, width, height, report, where) is var (x0, y0, x1, y1))
                boxes.Add(new DetectionBox(cls, x0, y0, x1, y1, (x1 - x0) * (y1 - y0), false));
        }
        return boxes;
    }

    // A damaged file can hold a line of megabytes; the start of it says enough.
    static string Clipped(string line) => line.Length <= 200 ? line : $"{line[..200]}… ({line.Length:N0} characters)";

    static bool TryFloats(ReadOnlySpan<string> parts, out float a, out float b, out float c, out float d)
    {
        var style = NumberStyles.Float;
        var culture = CultureInfo.InvariantCulture;
        b = c = d = 0;
        return float.TryParse(parts[0], style, culture, out a) && float.TryParse(parts[1], style, culture, out b) &&
               float.TryParse(parts[2], style, culture, out c) && float.TryParse(parts[3], style, culture, out d);
    }
}
