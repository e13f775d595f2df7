using System.CommandLine;
using Detr.Cli.Demo;
using Detr.MLNet;
using Detr.MLNet.Data;
using Detr.MLNet.Rendering;
using Detr.Training;
using Detr.Training.Augmentation;
using Detr.Training.Modeling;
using Detr.Training.Training;
using Microsoft.ML;
using Spectre.Console;

namespace Detr.Cli.Commands;

/// <summary><c>detr train</c>: trains DETR on a COCO, VOC or YOLO dataset and writes the ONNX model, a model zip and checkpoints.</summary>
static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var data = new Option<string>("--data") { Description = "COCO annotations JSON, a VOC annotation folder, or a YOLO image folder.", Required = true };
        var format = new Option<string>("--format") { Description = "coco, voc or yolo.", DefaultValueFactory = _ => "coco" };
        var images = new Option<string?>("--images") { Description = "Image folder (COCO: file names are relative to it; VOC: the JPEGImages folder)." };
        var labels = new Option<string?>("--labels") { Description = "YOLO label folder (one .txt per image)." };
        var classes = new Option<string?>("--classes") { Description = "YOLO class list (one name per line)." };
        var validation = new Option<string?>("--validation") { Description = "COCO annotations of a held-out split, evaluated as training goes." };
        var output = new Option<string>("--out") { Description = "Output folder: model.onnx, model.zip, checkpoints/, loss-curve.png.", DefaultValueFactory = _ => "detr-train" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs to train.", DefaultValueFactory = _ => 50 };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 2 };
        var lr = new Option<double>("--lr") { Description = "Learning rate of the transformer and heads.", DefaultValueFactory = _ => 1e-4 };
        var lrBackbone = new Option<double>("--lr-backbone") { Description = "Learning rate of the backbone (0 freezes it).", DefaultValueFactory = _ => 1e-5 };
        var lrDrop = new Option<int?>("--lr-drop") { Description = "Divide learning rates by 10 every this many epochs (default: two thirds of the epochs)." };
        var clip = new Option<double>("--clip-max-norm") { Description = "Gradient clipping norm.", DefaultValueFactory = _ => 0.1 };
        var size = new Option<int>("--image-size") { Description = "Evaluation short side; augmentation scales the reference's 480–800 recipe to it.", DefaultValueFactory = _ => 800 };
        var backbone = new Option<int>("--backbone") { Description = "ResNet depth: 18, 34, 50 or 101.", DefaultValueFactory = _ => 50 };
        var queries = new Option<int>("--queries") { Description = "Object queries (most detections per image).", DefaultValueFactory = _ => 100 };
        var from = new Option<string?>("--from") { Description = "Start from this checkpoint (Detr.Training checkpoint or reference safetensors); the class head is re-initialised if the class count differs." };
        var fromBackbone = new Option<string?>("--from-backbone") { Description = "Start the backbone from an ImageNet ResNet: torch.save(torchvision resnet.state_dict()) of the --backbone depth, as the reference trains." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --out/checkpoints." };
        var timeLimit = new Option<double?>("--time-limit") { Description = "Stop after this many minutes (saving a resumable checkpoint)." };
        var device = new Option<string>("--device") { Description = "cpu, or cuda where a CUDA build of libtorch is installed.", DefaultValueFactory = _ => "cpu" };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 42 };
        var command = new Command("train", "Train DETR with TorchSharp; Ctrl+C saves a resumable checkpoint.")
            { data, format, images, labels, classes, validation, output, epochs, batch, lr, lrBackbone, lrDrop, clip, size, backbone, queries, from, fromBackbone, resume, timeLimit, device, seed };
        command.SetAction(parsed =>
        {
            var ml = new MLContext(seed: parsed.GetValue(seed));
            var dataset = Load(parsed.GetValue(format)!, parsed.GetValue(data)!, parsed.GetValue(images), parsed.GetValue(labels), parsed.GetValue(classes));
            if (!dataset.Report.IsClean)
                console.Error.WriteLine($"detr: note: {dataset.Report.ToString().ReplaceLineEndings("; ")}");
            var train = DetrScoringTransformerPipeline.WithImages(ml, ml.Data.LoadFromDetectionDataset(dataset));
            var validationData = parsed.GetValue(validation) is string v ? DetrScoringTransformerPipeline.WithImages(ml, ml.Data.LoadFromCocoJson(v, parsed.GetValue(images))) : null;
            string outFolder = parsed.GetValue(output)!;
            int epochCount = parsed.GetValue(epochs);
            using var cancellation = CancelOnCtrlC.Create();
            var options = new DetrTrainerOptions
            {
                Model = new DetrConfig { Backbone = (ResNetDepth)parsed.GetValue(backbone), Queries = parsed.GetValue(queries) },
                Epochs = epochCount,
                LearningRateDropEpochs = parsed.GetValue(lrDrop) ?? Math.Max(1, epochCount * 2 / 3),
                BatchSize = parsed.GetValue(batch),
                LearningRate = parsed.GetValue(lr),
                BackboneLearningRate = parsed.GetValue(lrBackbone),
                GradientClipNorm = parsed.GetValue(clip),
                Augmentation = DetrAugmentationOptions.ScaledTo(parsed.GetValue(size)),
                StartFromCheckpoint = parsed.GetValue(from),
                StartFromBackbone = parsed.GetValue(fromBackbone),
                CheckpointDirectory = Path.Combine(outFolder, "checkpoints"),
                Resume = parsed.GetValue(resume),
                ValidationData = validationData,
                MaxTrainingTime = parsed.GetValue(timeLimit) is double minutes ? TimeSpan.FromMinutes(minutes) : null,
                Device = parsed.GetValue(device)!,
                Seed = parsed.GetValue(seed),
                Progress = new TrainingProgressPrinter(console),
                CancellationToken = cancellation.Token,
            };
            var trainer = ml.Detection().Trainers.Detr(options);
            DetrScoringTransformerPipeline.Save(ml, trainer.Fit(train), train, outFolder);
            using (var chart = TrainingCharts.LossCurve(trainer.LastRun!.History))
                DetectionRenderer.SavePng(chart, Path.Combine(outFolder, "loss-curve.png"));
            console.Rich.MarkupLine($"[green]done[/] model.onnx, model.zip, checkpoints/ and loss-curve.png → {Markup.Escape(outFolder)}");
            return 0;
        });
        return command;
    }

    static DetectionDataset Load(string format, string data, string? images, string? labels, string? classes) => format.ToLowerInvariant() switch
    {
        "coco" => CocoDatasetReader.Read(data, images),
        "voc" => VocDatasetReader.Read(data, images ?? throw new ArgumentException("VOC needs --images (the JPEGImages folder).")),
        "yolo" => YoloDatasetReader.Read(data, labels ?? throw new ArgumentException("YOLO needs --labels (the label folder)."),
            classes ?? throw new ArgumentException("YOLO needs --classes (the class list).")),
        _ => throw new ArgumentException($"Unknown --format '{format}'; use coco, voc or yolo."),
    };
}

/// <summary>The image-loading step around a DETR scorer, shared by <c>train</c> and <c>demo</c>.</summary>
static class DetrScoringTransformerPipeline
{
    /// <summary><paramref name="data"/> with its ImagePath column loaded into an Image column.</summary>
    public static IDataView WithImages(MLContext ml, IDataView data) =>
        ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath").Fit(data).Transform(data);

    /// <summary>Writes a trained scorer as model.onnx and as an ML.NET zip that loads images from an ImagePath column.</summary>
    public static void Save(MLContext ml, Detr.MLNet.Scoring.DetrScoringTransformer model, IDataView data, string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path.Combine(folder, "model.onnx"), s => s.Write(model.Model.ModelBytes));
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath").Fit(data).Append(model);
        var schema = ml.Data.LoadFromEnumerable(Array.Empty<ImagePathRow>()).Schema;
        ml.Model.Save(pipeline, schema, Path.Combine(folder, "model.zip"));
    }
}
