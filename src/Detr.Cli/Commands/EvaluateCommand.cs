using System.CommandLine;
using System.Text.Json;
using Detr.Cli.Pipeline;
using Detr.MLNet;
using Detr.MLNet.Data;
using Detr.MLNet.Evaluation;
using Detr.MLNet.Scoring;
using Microsoft.ML;
using Spectre.Console;

namespace Detr.Cli.Commands;

/// <summary><c>detr evaluate</c>: COCO metrics from files (ground truth + results) or from a model and a COCO dataset.</summary>
static class EvaluateCommand
{
    public static Command Create(CliConsole console)
    {
        var gt = new Option<string?>("--gt") { Description = "COCO ground-truth JSON (with --dt, or with --model to score its images)." };
        var dt = new Option<string?>("--dt") { Description = "COCO results JSON: [{image_id, category_id, bbox, score}]." };
        var model = new Option<string?>("--model") { Description = "Score the --gt dataset's images with this model (.onnx or .zip) instead of reading --dt." };
        var images = new Option<string?>("--images") { Description = "With --model: folder the --gt file names are relative to (default: the JSON's folder)." };
        var json = new Option<bool>("--json") { Description = "Print the 12 stats as one JSON object: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl." };
        var agnostic = new Option<bool>("--class-agnostic") { Description = "Pool the classes (pycocotools' useCats = 0): how well objects are found, whatever class they are given." };
        var maxPixels = ImageLimitOption.Create();
        var device = ScoringDeviceOption.Create();
        var skip = new Option<bool>("--skip-unreadable")
        {
            Description = "With --model: score an image that cannot be read (too large, truncated, not an image) as no detections, so its objects count as missed, " +
                "and report how many there were on stderr, instead of stopping at the first.",
        };
        var resize = new ResizeOptions();
        var command = new Command("evaluate", "COCO bbox metrics, identical to pycocotools' COCOeval.") { gt, dt, model, images, json, agnostic, maxPixels, device, skip };
        resize.AddTo(command);
        command.SetAction(parsed =>
        {
            string groundTruth = parsed.GetValue(gt) ?? throw new ArgumentException("Give --gt (COCO ground truth) with --dt or --model.");
            var evaluation = new CocoEvaluationOptions { UseCategories = !parsed.GetValue(agnostic) };
            CocoMetrics metrics;
            IReadOnlyDictionary<int, string> names;
            if (parsed.GetValue(dt) is string results)
            {
                // The names come from the ground truth as evaluation reads it (one reading of the file), so a ground truth
                // without file names or sizes still prints.
                metrics = new CocoEvaluator(evaluation).EvaluateFiles(groundTruth, results, out CocoGroundTruthFile file);
                names = file.CategoryNames;
            }
            else if (parsed.GetValue(model) is string modelPath)
                (metrics, names) = ScoreDataset(console, modelPath, groundTruth, parsed.GetValue(images), ImageLimitOption.Value(parsed, maxPixels), parsed.GetValue(skip),
                    resize.Values(parsed), parsed.GetValue(device), evaluation);
            else
                throw new ArgumentException("Give --dt (results JSON) or --model (to score the dataset).");
            if (parsed.GetValue(json))
                console.Output.WriteLine(JsonSerializer.Serialize(metrics.ToNamedStats()));
            else
                Print(console, metrics, names);
            return 0;
        });
        return command;
    }

    static (CocoMetrics, IReadOnlyDictionary<int, string>) ScoreDataset(CliConsole console, string modelPath, string groundTruth, string? imageFolder,
        long? maxImagePixels, bool skipUnreadable, (int? Shortest, int? Longest) resize, DetrExecutionDevice device, CocoEvaluationOptions evaluation)
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromCocoJson(groundTruth, imageFolder, MissingImagePolicy.Fail);
        var unreadable = new List<DetrUnreadableImage>();
        var (model, _) = ModelSource.Open(ml, modelPath, threshold: 0, maxDetections: 100, maxImagePixels, skipUnreadable ? unreadable.Add : null, resize,
            device, warning => console.Error.WriteLine($"detr: warning: {warning}"));
        var scored = model.Transform(data);
        var keyToCategory = data.Dataset.Categories.Select((c, i) => (Key: i + 1, c)).ToDictionary(p => p.Key, p => p.c);
        var metrics = ml.Detection().Evaluate(scored, options: evaluation);
        if (skipUnreadable)
            ReportUnreadable(console, unreadable, data.Dataset.Images.Count);
        return (metrics, keyToCategory.ToDictionary(p => p.Key, p => p.Value.Name));
    }

    static void ReportUnreadable(CliConsole console, IReadOnlyList<DetrUnreadableImage> unreadable, int total)
    {
        console.Error.WriteLine($"detr: {total - unreadable.Count} of {total} images scored, {unreadable.Count} unreadable" +
            (unreadable.Count == 0 ? "." : " (scored as no detections: their objects count as missed)."));
        foreach (var u in unreadable)
            console.Error.WriteLine($"detr: cannot read '{u.ImagePath}': {u.Reason}.");
    }

    static void Print(CliConsole console, CocoMetrics metrics, IReadOnlyDictionary<int, string> names)
    {
        var table = new Table().AddColumns("metric", "value");
        foreach (var (name, value) in metrics.ToNamedStats())
            table.AddRow(name, value.ToString("0.000"));
        console.Rich.Write(table);
        var perClass = new Table().AddColumns("class", "AP");
        foreach (var (id, ap) in metrics.PerCategoryAP)
            perClass.AddRow(Markup.Escape(id == -1 ? "(classes pooled)" : names.GetValueOrDefault(id, id.ToString())), ap.ToString("0.000"));
        console.Rich.Write(perClass);
    }
}
