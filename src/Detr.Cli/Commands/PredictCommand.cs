using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Detr.Cli.Pipeline;
using Detr.MLNet.Imaging;
using Detr.MLNet.Rendering;
using Detr.MLNet.Scoring;
using Microsoft.ML;
using Spectre.Console;

namespace Detr.Cli.Commands;

/// <summary><c>detr predict</c>: detections for images, as JSON lines, a table, and/or annotated PNGs.</summary>
static class PredictCommand
{
    static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "DETR ONNX model (.onnx) or ML.NET model zip (.zip) to score with.", Required = true };
        var images = new Option<string[]>("--image") { Description = "Image file to score; repeat for several." };
        var folder = new Option<string?>("--folder") { Description = "Score every image file in this folder." };
        var threshold = new Option<float>("--threshold") { Description = "Keep detections scoring above this; 0 keeps every query.", DefaultValueFactory = _ => 0.5f };
        var max = new Option<int?>("--max-detections") { Description = "Keep at most this many detections per image, best first." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per image: {image, detections: [{label, label_id, score, box}]}." };
        var output = new Option<string?>("--out") { Description = "Write annotated PNGs (boxes, labels, scores) into this folder." };
        var maxPixels = ImageLimitOption.Create();
        var device = ScoringDeviceOption.Create();
        var failFast = new Option<bool>("--fail-fast")
        {
            Description = $"Stop at the first missing or unreadable image (exit {DetrCommandLine.BadInput}). Without it every readable image is scored, " +
                $"each unreadable one is reported (an {{image, error}} object with --json, a line on stderr) and the exit code is {DetrCommandLine.SomeImagesFailed}.",
        };
        var resize = new ResizeOptions();
        var command = new Command("predict", "Detect objects in images with a DETR or Deformable DETR model.") { model, images, folder, threshold, max, json, output, maxPixels, device, failFast };
        resize.AddTo(command);
        command.SetAction(parsed =>
        {
            var paths = (parsed.GetValue(images) ?? []).ToList();
            if (parsed.GetValue(folder) is string dir)
            {
                if (!Directory.Exists(dir))
                    throw new DirectoryNotFoundException($"Folder not found: '{dir}'.");
                paths.AddRange(Directory.GetFiles(dir).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal));
            }
            if (paths.Count == 0)
                throw new ArgumentException("Give at least one --image or a --folder with images.");
            bool stopAtFirst = parsed.GetValue(failFast);
            if (stopAtFirst)
                foreach (var p in paths.Where(p => !File.Exists(p)))
                    throw new FileNotFoundException($"Image not found: '{p}'.");
            int failed = Run(console, parsed.GetValue(model)!, paths, parsed.GetValue(threshold), parsed.GetValue(max), parsed.GetValue(json), parsed.GetValue(output),
                ImageLimitOption.Value(parsed, maxPixels), stopAtFirst, resize.Values(parsed), parsed.GetValue(device));
            if (failed == 0)
                return 0;
            console.Error.WriteLine($"detr: {failed} of {paths.Count} images could not be read; the others were scored.");
            return DetrCommandLine.SomeImagesFailed;
        });
        return command;
    }

    // Returns how many images could not be read (always 0 with failFast, which throws at the first instead).
    static int Run(CliConsole console, string modelPath, IReadOnlyList<string> paths, float threshold, int? maxDetections, bool json, string? outFolder,
        long? maxImagePixels, bool failFast, (int? Shortest, int? Longest) resize, DetrExecutionDevice device)
    {
        var ml = new MLContext(seed: 0);
        // Filled as the scoring cursor reads each batch, which it does before that batch's rows are enumerated.
        var unreadable = new Dictionary<long, string>();
        var (model, labels) = ModelSource.Open(ml, modelPath, threshold, maxDetections, maxImagePixels,
            failFast ? null : u => unreadable[u.Row] = u.Reason, resize, device, warning => console.Error.WriteLine($"detr: warning: {warning}"));
        var rows = ml.Data.LoadFromEnumerable(paths.Select(p => new ImagePathRow { ImagePath = p }));
        var predictions = ml.Data.CreateEnumerable<PredictionRow>(model.Transform(rows), reuseRowObject: false);
        var table = new Table().AddColumns("image", "label", "score", "box (x0, y0, x1, y1)");
        long row = 0;
        foreach (var p in predictions)
        {
            if (unreadable.TryGetValue(row++, out var reason))
            {
                if (json)
                    console.Output.WriteLine(ToErrorJsonLine(p.ImagePath, reason));
                console.Error.WriteLine($"detr: cannot read '{p.ImagePath}': {reason}.");
                continue;
            }
            var detections = DrawnBox.FromPredictions(p.PredictedLabel, p.Score, p.PredictedBoundingBoxes, labels);
            if (json)
                console.Output.WriteLine(ToJsonLine(p.ImagePath, detections));
            else
                foreach (var d in detections)
                    table.AddRow(Markup.Escape(Path.GetFileName(p.ImagePath)), Markup.Escape(d.Label), d.Score!.Value.ToString("0.000", CultureInfo.InvariantCulture),
                        $"{d.X0:0.0}, {d.Y0:0.0}, {d.X1:0.0}, {d.Y1:0.0}");
            if (outFolder is not null)
            {
                var image = RgbImage.DecodeUnpremultiplied(p.ImagePath, maxImagePixels) ?? throw new InvalidDataException($"Cannot decode '{p.ImagePath}'.");
                using var picture = DetectionRenderer.Render(image, detections);
                DetectionRenderer.SavePng(picture, Path.Combine(outFolder, Path.GetFileNameWithoutExtension(p.ImagePath) + ".detections.png"));
            }
        }
        if (!json)
            console.Rich.Write(table);
        return unreadable.Count;
    }

    /// <summary>The <c>predict --json</c> line of an image that could not be read: <c>{"image": ..., "error": ...}</c>.</summary>
    public static string ToErrorJsonLine(string image, string error) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["image"] = image, ["error"] = error }, ErrorJson);

    // Messages quote file names; escaping every apostrophe as \u0027 (the HTML-safe default) would only hinder reading.
    static readonly JsonSerializerOptions ErrorJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The stable JSON contract of <c>predict --json</c>.</summary>
    public static string ToJsonLine(string image, IEnumerable<DrawnBox> detections)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("image", image);
            writer.WriteStartArray("detections");
            foreach (var d in detections)
            {
                writer.WriteStartObject();
                writer.WriteString("label", d.Label);
                writer.WriteNumber("label_id", d.ClassId);
                writer.WriteNumber("score", d.Score ?? 0);
                writer.WriteStartArray("box");
                writer.WriteNumberValue(d.X0);
                writer.WriteNumberValue(d.Y0);
                writer.WriteNumberValue(d.X1);
                writer.WriteNumberValue(d.Y1);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
