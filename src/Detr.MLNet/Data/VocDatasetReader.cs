using System.Xml;
using System.Xml.Linq;
using Detr.MLNet.Imaging;

namespace Detr.MLNet.Data;

/// <summary>
/// Reads Pascal VOC annotations (one XML file per image: <c>filename</c>, <c>size</c>, <c>object</c>s with <c>name</c>,
/// <c>bndbox</c>, <c>difficult</c>). Difficult objects are kept flagged as crowd, so COCO evaluation ignores them as VOC's does.
/// </summary>
public static class VocDatasetReader
{
    /// <summary>
    /// Reads every <c>*.xml</c> in <paramref name="annotationsFolder"/>; images resolve against <paramref name="imageFolder"/>.
    /// Class names are <paramref name="classNames"/> when given (an unknown name is then an error), else the sorted names found.
    /// </summary>
    public static DetectionDataset Read(string annotationsFolder, string imageFolder, IReadOnlyList<string>? classNames = null,
        MissingImagePolicy missingImages = MissingImagePolicy.Skip)
    {
        if (!Directory.Exists(annotationsFolder))
            throw new DirectoryNotFoundException($"VOC annotation folder not found: '{annotationsFolder}'.");
        var files = Directory.GetFiles(annotationsFolder, "*.xml").Order(StringComparer.Ordinal).ToArray();
        var parsed = files.Select(Parse).ToArray();
        var names = classNames?.ToArray() ?? parsed.SelectMany(p => p.Objects.Select(o => o.Name)).Distinct().Order(StringComparer.Ordinal).ToArray();
        var categoryOf = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i + 1);

        var report = new DatasetReadReport();
        var images = new List<DetectionImage>();
        var missing = new List<string>();
        for (int i = 0; i < parsed.Length; i++)
        {
            var (file, fileName, width, height, objects) = parsed[i];
            string path = Path.Combine(imageFolder, fileName);
            bool imageExists = File.Exists(path);
            if ((width == 0 || height == 0) && imageExists)
                (width, height) = SizeFromImage(file, path);
            var boxes = new List<DetectionBox>();
            foreach (var o in objects)
            {
                string where = $"{file}: object '{o.Name}'";
                if (!categoryOf.TryGetValue(o.Name, out int category))
                    throw new InvalidDataException($"{where} is not one of the given classes ({string.Join(", ", names)}).");
                // VOC coordinates are 1-based inclusive pixels; COCO-style x0,y0,x1,y1 spans [x0-1, x1].
                if (BoxSanitizer.Clip(o.XMin - 1, o.YMin - 1, o.XMax, o.YMax, width, height, report, where) is not var (x0, y0, x1, y1))
                    continue;
                if (o.Difficult)
                    report.Add(DatasetReadReport.Kinds.Difficult, where);
                boxes.Add(new DetectionBox(category, x0, y0, x1, y1, (x1 - x0) * (y1 - y0), o.Difficult));
            }
            if (!imageExists)
            {
                missing.Add(path);
                report.Add(DatasetReadReport.Kinds.MissingImage, path);
                continue;
            }
            images.Add(new DetectionImage(i + 1, path, width, height, boxes));
        }
        if (missing.Count > 0 && missingImages == MissingImagePolicy.Fail)
            throw new FileNotFoundException($"{missing.Count} VOC image file(s) missing under '{imageFolder}', e.g. {string.Join(", ", missing.Take(3))}.");
        return new DetectionDataset(names.Select((n, i) => new DetectionCategory(i + 1, n)).ToArray(), images, report);
    }

    static (int Width, int Height) SizeFromImage(string annotationFile, string imagePath)
    {
        ImageHeader? header;
        try
        {
            using var stream = File.OpenRead(imagePath);
            header = ImageHeader.Read(stream);
        }
        catch (IOException e)
        {
            throw new InvalidDataException($"{annotationFile}: <size> is 0 and the image '{imagePath}' cannot be read for its size: {e.Message}", e);
        }
        return header is { Width: > 0, Height: > 0 } h
            ? (h.Width, h.Height)
            : throw new InvalidDataException($"{annotationFile}: <size> is 0 and '{imagePath}' is not an image whose size can be read; write the image's width and height into <size>.");
    }

    sealed record VocObject(string Name, float XMin, float YMin, float XMax, float YMax, bool Difficult);

    sealed record VocFile(string File, string FileName, int Width, int Height, IReadOnlyList<VocObject> Objects);

    static VocFile Parse(string file)
    {
        XDocument document;
        try
        {
            document = Load(file);
        }
        catch (XmlException e)
        {
            throw new InvalidDataException($"{file}: malformed XML at line {e.LineNumber}, position {e.LinePosition}: {e.Message}", e);
        }
        var root = document.Root ?? throw new InvalidDataException($"{file}: empty XML document.");
        string Text(XElement parent, string name) =>
            parent.Element(name)?.Value.Trim() is { Length: > 0 } value
                ? value
                : throw new InvalidDataException($"{file}: <{parent.Name}>{Line(parent)} has no <{name}> element.");
        float Number(XElement parent, string name) =>
            float.TryParse(Text(parent, name), System.Globalization.CultureInfo.InvariantCulture, out float v)
                ? v
                : throw new InvalidDataException($"{file}: <{name}> in <{parent.Name}>{Line(parent)} is not a number.");
        // Boxes are clipped to the size, so a negative or fractional one cannot be taken on trust. 0 is what some
        // exporters write when they did not know the size: the image's own header says it then.
        int Pixels(XElement parent, string name) =>
            Number(parent, name) is var v && v >= 0 && v < int.MaxValue && v == MathF.Floor(v)
                ? (int)v
                : throw new InvalidDataException($"{file}: <{name}> in <{parent.Name}>{Line(parent)} is '{Text(parent, name)}'; " +
                    "expected a whole number of pixels (0 to read it from the image).");

        var size = root.Element("size") ?? throw new InvalidDataException($"{file}: no <size> element.");
        var objects = root.Elements("object").Select(o =>
        {
            var box = o.Element("bndbox") ?? throw new InvalidDataException($"{file}: <object>{Line(o)} has no <bndbox>.");
            return new VocObject(Text(o, "name"), Number(box, "xmin"), Number(box, "ymin"), Number(box, "xmax"), Number(box, "ymax"),
                o.Element("difficult")?.Value.Trim() == "1");
        }).ToArray();
        return new VocFile(file, Text(root, "filename"), Pixels(size, "width"), Pixels(size, "height"), objects);
    }

    // Annotations are four levels deep. XDocument builds deep trees in time that grows with the square of the depth
    // (20,000 levels, 140 KB, take a second), so the depth is checked by a streaming pass first. A DOCTYPE is skipped, not
    // expanded: VOC files have no entities to define.
    const int MaxDepth = 64;
    static readonly XmlReaderSettings Settings = new() { DtdProcessing = DtdProcessing.Ignore, IgnoreWhitespace = true };

    static XDocument Load(string file)
    {
        using (var reader = XmlReader.Create(file, Settings))
            while (reader.Read())
                if (reader.Depth > MaxDepth)
                    throw new InvalidDataException($"{file}: elements nested more than {MaxDepth} deep{Line(reader as IXmlLineInfo)}; " +
                        "a VOC annotation is a few levels deep.");
        using var again = XmlReader.Create(file, Settings);
        return XDocument.Load(again, LoadOptions.SetLineInfo);
    }

    static string Line(IXmlLineInfo? info) => info is not null && info.HasLineInfo() ? $" (line {info.LineNumber})" : "";

    static string Line(XElement element) => Line((IXmlLineInfo)element);
}
