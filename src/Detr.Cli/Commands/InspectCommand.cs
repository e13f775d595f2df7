using System.CommandLine;
using Detr.MLNet;
using Detr.MLNet.Scoring;
using Microsoft.ML;
using Spectre.Console;

namespace Detr.Cli.Commands;

/// <summary><c>detr inspect</c>: what a model is: layout, inputs/outputs, classes and preprocessing.</summary>
static class InspectCommand
{
    public static Command Create(CliConsole console)
    {
        var path = new Argument<string>("model") { Description = "A DETR ONNX model (.onnx) or an ML.NET model zip (.zip)." };
        var command = new Command("inspect", "Describe a DETR model: layout, inputs and outputs, classes, preprocessing.") { path };
        command.SetAction(parsed =>
        {
            string file = parsed.GetValue(path)!;
            if (!File.Exists(file))
                throw new FileNotFoundException($"Model not found: '{file}'.");
            using var model = Open(file);
            var s = model.Signature;
            var table = new Table().AddColumns("property", "value");
            table.AddRow("file", Markup.Escape(file));
            table.AddRow("layout", s.Layout.ToString());
            table.AddRow("image input", Markup.Escape($"{s.ImageInput} (rank {s.ImageRank}{(s.HasFixedSize ? $", fixed {s.FixedHeight}x{s.FixedWidth}" : ", dynamic size")})"));
            table.AddRow("mask input", Markup.Escape(s.MaskInput ?? "none"));
            table.AddRow("outputs", Markup.Escape($"{s.LogitsOutput}, {s.BoxesOutput}"));
            table.AddRow("classes", s.Postprocessing == DetrPostprocessing.SigmoidTopK
                ? $"{model.LabelNames.Count} (sigmoid per class, top-k over queries × classes)"
                : $"{model.LabelNames.Count} (+ no-object, softmax)");
            table.AddRow("labels", Markup.Escape(string.Join(", ", model.LabelNames.Take(20)) + (model.LabelNames.Count > 20 ? ", …" : "")));
            table.AddRow("resize", $"short side {model.ShortestEdge}, long side at most {model.LongestEdge}");
            table.AddRow("precision", Markup.Escape(Precision(model)));
            console.Rich.Write(table);
            return 0;
        });
        return command;
    }

    // "int8 (qdq, uint8 activations, int8 symmetric per channel weights; Backbone, InputProjection; …)" from the metadata.
    static string Precision(DetrScoringModel model)
    {
        if (model.Quantization is not string json)
            return model.Precision;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(json);
            var root = document.RootElement;
            string Text(string key) => root.TryGetProperty(key, out var v) ? v.ToString() : "?";
            string parts = root.TryGetProperty("parts", out var p) && p.ValueKind == System.Text.Json.JsonValueKind.Array
                ? string.Join(", ", p.EnumerateArray().Select(e => e.GetString())) : "?";
            return $"{model.Precision} ({Text("format")}: {Text("activations")} activations, {Text("weights")} weights; quantized {parts}; " +
                $"calibration {Text("calibration")} on {Text("calibration_images")} images)";
        }
        catch (System.Text.Json.JsonException)
        {
            return $"{model.Precision} ({json})";
        }
    }

    static DetrScoringModel Open(string file)
    {
        if (!file.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            return DetrScoringModel.Open(new DetrScoringOptions { ModelPath = file });
        var ml = new MLContext();
        ml.ComponentCatalog.RegisterDetr();
        var loaded = ml.Model.Load(file, out _);
        var detr = (loaded as IEnumerable<ITransformer>)?.OfType<DetrScoringTransformer>().LastOrDefault() ?? loaded as DetrScoringTransformer
            ?? throw new InvalidDataException($"'{file}' holds no DETR scoring transformer.");
        return DetrScoringModel.Open(new DetrScoringOptions
        {
            ModelBytes = detr.Model.ModelBytes, LabelNames = detr.Model.LabelNames,
            ShortestEdge = detr.Model.ShortestEdge, LongestEdge = detr.Model.LongestEdge,
        });
    }
}
