using System.CommandLine;
using Detr.Training.Export;
using Detr.Training.Export.Quantization;
using Detr.Training.Weights;

namespace Detr.Cli.Commands;

/// <summary>
/// <c>detr export</c>: any checkpoint the model loads → ONNX the scorer reads (labels and preprocessing in its metadata),
/// in float32, float16 (GPU) or INT8 (QDQ, calibrated on images run through the float32 model).
/// </summary>
static class ExportCommand
{
    public static Command Create(CliConsole console)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A reference .pth (torch.save), a safetensors file (reference or transformers key names) or a Detr.Training checkpoint.", Required = true };
        var heads = new Option<int>("--nheads") { Description = "Attention heads (not stored in reference weights; Deformable DETR's sampling points follow from them).", DefaultValueFactory = _ => 8 };
        var queries = new Option<int?>("--queries") { Description = "Two-stage Deformable DETR: proposals kept as queries (not stored in its weights; default 300)." };
        var dilation = new Option<bool>("--dilation") { Description = "The backbone's last stage is dilated (DC5 models)." };
        var classes = new Option<int?>("--num-classes") { Description = "Class count when it differs from the checkpoint's (re-initialises the class head)." };
        var labels = new Option<string?>("--labels") { Description = "Text file with one class name per line, written into the model's metadata." };
        var output = new Option<string>("--out") { Description = "Where to write the ONNX model.", Required = true };
        var resize = new ResizeOptions();
        var precision = new Option<string>("--precision")
        {
            Description = "fp32 (default), fp16 (float16 weights and arithmetic for GPUs; float32 inputs and outputs) or int8 (same as --quantize int8).",
            DefaultValueFactory = _ => "fp32",
        };
        precision.AcceptOnlyFromAmong("fp32", "fp16", "int8");
        var quantize = new Option<string?>("--quantize") { Description = "int8: static INT8 quantization in QDQ form; needs --calibration." };
        quantize.AcceptOnlyFromAmong("int8");
        var calibration = new Option<string?>("--calibration")
        {
            Description = "INT8: the images to calibrate activation ranges on, an image folder or a COCO .json file (its images under --images). " +
                "They are resized as the model's metadata says (--shortest-edge/--longest-edge), as scoring will.",
        };
        var images = new Option<string?>("--images") { Description = "INT8: the image folder of a COCO --calibration file (default: the file's folder)." };
        var calibrationImages = new Option<int>("--calibration-images") { Description = "INT8: at most this many calibration images, spread over the set.", DefaultValueFactory = _ => 64 };
        var method = new Option<string>("--calibration-method") { Description = "INT8: how ranges are chosen: minmax, percentile or entropy.", DefaultValueFactory = _ => "percentile" };
        method.AcceptOnlyFromAmong("minmax", "percentile", "entropy");
        var percentile = new Option<double>("--percentile") { Description = "INT8, percentile method: the share of values kept inside the range, in percent.", DefaultValueFactory = _ => 99.99 };
        var parts = new Option<string>("--quantize-parts")
        {
            Description = "INT8: comma-separated parts to quantize: backbone, input-projection, encoder, query-selection, decoder, heads.",
            DefaultValueFactory = _ => "backbone,input-projection",
        };
        var activations = new Option<string>("--activations") { Description = "INT8: activation type, uint8 (U8S8, fastest on x86) or int8 (S8S8).", DefaultValueFactory = _ => "uint8" };
        activations.AcceptOnlyFromAmong("uint8", "int8");
        var command = new Command("export", "Export a DETR or Deformable DETR checkpoint to ONNX (opset 17; inputs pixel_values and pixel_mask; outputs logits and pred_boxes), " +
            "in float32, float16 or INT8.")
            { checkpoint, heads, queries, dilation, classes, labels, output, precision, quantize, calibration, images, calibrationImages, method, percentile, parts, activations };
        resize.AddTo(command);
        command.SetAction(parsed =>
        {
            string chosen = parsed.GetValue(quantize) ?? parsed.GetValue(precision)!;
            if (parsed.GetValue(quantize) is string q && parsed.GetValue(precision) is var p && p != "fp32" && p != q)
                throw new ArgumentException($"--quantize {q} and --precision {p} disagree; give one of them.");
            string? calibrationSource = parsed.GetValue(calibration);
            if (chosen == "int8" && calibrationSource is null)
                throw new ArgumentException("INT8 export needs --calibration: an image folder or a COCO .json file of images like those the model will score.");
            if (chosen != "int8" && calibrationSource is not null)
                throw new ArgumentException("--calibration is for INT8 export; add --quantize int8.");
            var (shortest, longest) = resize.Values(parsed);
            var options = new DetrOnnxExportOptions
            {
                ShortestEdge = shortest ?? 800, LongestEdge = longest ?? 1333,
                Precision = chosen switch { "fp16" => DetrOnnxPrecision.Float16, "int8" => DetrOnnxPrecision.Int8, _ => DetrOnnxPrecision.Float32 },
            };
            if (chosen == "int8")
            {
                var quantizedParts = ParseParts(parsed.GetValue(parts)!);
                // The calibration set is resolved (and an empty folder refused) before the model is loaded.
                var files = CalibrationImageSet.Resolve(calibrationSource!, parsed.GetValue(images), parsed.GetValue(calibrationImages));
                options = options with
                {
                    Quantization = new DetrQuantizationOptions
                    {
                        CalibrationImages = files,
                        Method = Enum.Parse<DetrCalibrationMethod>(parsed.GetValue(method)!, ignoreCase: true),
                        Percentile = parsed.GetValue(percentile),
                        Parts = quantizedParts,
                        Activations = parsed.GetValue(activations) == "int8" ? DetrQuantizedActivations.Int8 : DetrQuantizedActivations.UInt8,
                        Progress = message => console.Error.WriteLine($"detr: {message}"),
                    },
                };
                console.Error.WriteLine($"detr: calibrating on {files.Count} images of {calibrationSource} at short side {options.ShortestEdge}");
            }
            var (model, names, report) = DetrWeights.Open(parsed.GetValue(checkpoint)!, parsed.GetValue(heads), parsed.GetValue(dilation), parsed.GetValue(classes),
                parsed.GetValue(queries));
            using (model)
            {
                if (parsed.GetValue(labels) is string labelFile)
                    names = Detr.MLNet.Labels.LabelNameResolver.ReadFile(labelFile);
                string path = parsed.GetValue(output)!;
                DetrOnnxExporter.Export(model, path, options with { LabelNames = names });
                if (report.Reinitialised.Count > 0)
                    console.Error.WriteLine($"detr: note: re-initialised {string.Join(", ", report.Reinitialised)} for {model.Architecture.NumClasses} classes.");
                var architecture = model.Architecture;
                console.Output.WriteLine($"Exported {architecture.ResNet.Depth} {(architecture.Name == "deformable" ? "Deformable DETR" : "DETR")} " +
                    $"({architecture.NumClasses} classes, {architecture.Queries} queries, {chosen}) to {path}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>"backbone,input-projection" → the parts; an unknown name is an error listing the known ones.</summary>
    public static DetrModelParts ParseParts(string text)
    {
        var result = DetrModelParts.None;
        foreach (string name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            result |= Enum.TryParse<DetrModelParts>(name.Replace("-", ""), ignoreCase: true, out var part) && part != DetrModelParts.None
                ? part
                : throw new ArgumentException($"Unknown part '{name}' in --quantize-parts; use backbone, input-projection, encoder, query-selection, decoder, heads or all.");
        return result;
    }
}
