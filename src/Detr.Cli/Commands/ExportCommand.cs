using System.CommandLine;
using Detr.Training.Export;
using Detr.Training.Weights;

namespace Detr.Cli.Commands;

/// <summary><c>detr export</c>: any checkpoint the model loads → ONNX the scorer reads (labels and preprocessing in its metadata).</summary>
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
        var command = new Command("export", "Export a DETR or Deformable DETR checkpoint to ONNX (opset 17; inputs pixel_values and pixel_mask; outputs logits and pred_boxes).")
            { checkpoint, heads, queries, dilation, classes, labels, output };
        command.SetAction(parsed =>
        {
            var (model, names, report) = DetrWeights.Open(parsed.GetValue(checkpoint)!, parsed.GetValue(heads), parsed.GetValue(dilation), parsed.GetValue(classes),
                parsed.GetValue(queries));
            using (model)
            {
                if (parsed.GetValue(labels) is string labelFile)
                    names = Detr.MLNet.Labels.LabelNameResolver.ReadFile(labelFile);
                string path = parsed.GetValue(output)!;
                DetrOnnxExporter.Export(model, path, new DetrOnnxExportOptions { LabelNames = names });
                if (report.Reinitialised.Count > 0)
                    console.Error.WriteLine($"detr: note: re-initialised {string.Join(", ", report.Reinitialised)} for {model.Architecture.NumClasses} classes.");
                var architecture = model.Architecture;
                console.Output.WriteLine($"Exported {architecture.ResNet.Depth} {(architecture.Name == "deformable" ? "Deformable DETR" : "DETR")} " +
                    $"({architecture.NumClasses} classes, {architecture.Queries} queries) to {path}");
            }
            return 0;
        });
        return command;
    }
}
