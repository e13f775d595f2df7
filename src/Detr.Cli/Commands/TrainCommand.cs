using System.CommandLine;
using System.Globalization;
using Detr.Cli.Pipeline;
using Detr.Cli.Reporting;
using Detr.MLNet;
using Detr.MLNet.Data;
using Detr.MLNet.Rendering;
using Detr.Training;
using Detr.Training.Augmentation;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Modeling.Deformable.Denoising;
using Detr.Training.Trainers;
using Detr.Training.Weights;
using Microsoft.ML;
using Spectre.Console;

namespace Detr.Cli.Commands;

/// <summary>
/// <c>detr train</c>: trains DETR or Deformable DETR on a COCO, VOC or YOLO dataset with a recipe chosen from the data
/// (or named), and writes the ONNX model, a model zip and checkpoints.
/// </summary>
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
        var recipe = new Option<string?>("--recipe") { Description = $"Training recipe: {string.Join(", ", DetrRecipes.Names)} (default: fine-tune with --from/--from-backbone, else from-scratch). The flags below override single settings." };
        var weightAverage = new Option<double?>("--ema") { Description = "Keep an exponential moving average of the weights with this decay (e.g. 0.999) and export it; 0 for none." };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs to train." };
        var batch = new Option<int?>("--batch-size") { Description = "Images per step." };
        var lr = new Option<double?>("--lr") { Description = "Learning rate of the transformer and heads." };
        var lrBackbone = new Option<double?>("--lr-backbone") { Description = "Learning rate of the backbone (0 freezes it)." };
        var lrDrop = new Option<int?>("--lr-drop") { Description = "Divide learning rates by 10 every this many epochs (default: two thirds of the epochs)." };
        var lrDropAt = new Option<double?>("--lr-drop-at") { Description = "With --time-limit: divide learning rates by 10 once this fraction of the time has passed (the from-scratch recipe: 0.833)." };
        var warmup = new Option<int?>("--warmup-steps") { Description = "Steps over which the learning rates rise linearly to their full value at the start." };
        var classLossWeight = new Option<double?>("--class-loss-weight") { Description = "Weight of the classification loss and matching cost (the reference's: 2 for Deformable DETR's focal loss, 1 for DETR's)." };
        var recalibration = new Option<int?>("--bn-recalibration") { Description = "Training images over which a trained batch-norm backbone's running statistics are recomputed when training ends (0 keeps PyTorch's running averages)." };
        var clip = new Option<double?>("--clip-max-norm") { Description = "Gradient clipping norm." };
        var scaleJitter = new Option<string?>("--scale-jitter") { Description = "MIN,MAX: scale each training image by a factor in this range after the resize, cropped back to its size (e.g. 0.8,1.25; 1,1 for none)." };
        var colorJitter = new Option<double?>("--color-jitter") { Description = "Scale brightness, contrast and saturation of each training image by factors within 1 ± this (0 for none)." };
        var mosaic = new Option<double?>("--mosaic") { Description = "Probability that a training image is combined with three others into a mosaic at their own scale (0 for none)." };
        var size = new Option<int?>("--image-size") { Description = "Training and evaluation short side in pixels (default: the recipe's, from the images)." };
        var from = new Option<string?>("--from") { Description = "Start from this checkpoint (Detr.Training checkpoint, reference .pth or safetensors of DETR or Deformable DETR); the class head is re-initialised if the class count differs." };
        var fromBackbone = new Option<string?>("--from-backbone") { Description = "Start the backbone from an ImageNet ResNet: torch.save(torchvision resnet.state_dict()) of the --backbone depth, as the reference trains." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --out/checkpoints." };
        var timeLimit = new Option<double?>("--time-limit") { Description = "Stop after this many minutes (saving a resumable checkpoint)." };
        var device = new Option<string>("--device") { Description = "cpu, or cuda where a CUDA build of libtorch is installed.", DefaultValueFactory = _ => "cpu" };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 42 };
        var skipUnreadable = new Option<bool>("--skip-unreadable") { Description = "Leave out training and validation images that cannot be read (each reported on stderr) instead of stopping." };
        var maxPixels = ImageLimitOption.Create();
        var command = new Command("train", "Train DETR or Deformable DETR with TorchSharp, with a recipe chosen from the data; Ctrl+C saves a resumable checkpoint.")
            { data, format, images, labels, classes, validation, output, recipe, weightAverage, epochs, batch, lr, lrBackbone,
              lrDrop, lrDropAt, warmup, clip, classLossWeight, recalibration, size, scaleJitter, colorJitter, mosaic, from, fromBackbone, resume, timeLimit, device, seed, maxPixels, skipUnreadable };
        var architecture = new ArchitectureOptions();
        architecture.AddTo(command);
        command.SetAction(parsed =>
        {
            var ml = new MLContext(seed: parsed.GetValue(seed));
            var dataset = Load(parsed.GetValue(format)!, parsed.GetValue(data)!, parsed.GetValue(images), parsed.GetValue(labels), parsed.GetValue(classes));
            if (!dataset.Report.IsClean)
                console.Error.WriteLine($"detr: note: {dataset.Report.ToString().ReplaceLineEndings("; ")}");
            var profile = DatasetProfile.Of(dataset);
            string? startFrom = parsed.GetValue(from), startBackbone = parsed.GetValue(fromBackbone);
            var chosen = parsed.GetValue(recipe) is string name ? DetrRecipes.Named(name, profile)
                : DetrRecipes.Choose(profile, startsFromPretrainedWeights: startFrom is not null || startBackbone is not null);
            var options = chosen.Options;
            options.Model = architecture.Apply(parsed, options.Model, startFrom);
            if (parsed.GetValue(epochs) is int epochCount)
            {
                options.Epochs = epochCount;
                options.LearningRateDropEpochs = Math.Max(1, epochCount * 2 / 3);
            }
            options.LearningRateDropEpochs = parsed.GetValue(lrDrop) ?? options.LearningRateDropEpochs;
            if (parsed.GetValue(lrDropAt) is double dropAt)
                options.LearningRateDropAtTimeFraction = dropAt is > 0 and < 1 ? dropAt
                    : throw new ArgumentException($"--lr-drop-at must lie between 0 and 1 (a fraction of --time-limit); got {dropAt}.");
            options.BatchSize = parsed.GetValue(batch) ?? options.BatchSize;
            options.LearningRate = parsed.GetValue(lr) ?? options.LearningRate;
            options.BackboneLearningRate = parsed.GetValue(lrBackbone) ?? options.BackboneLearningRate;
            options.GradientClipNorm = parsed.GetValue(clip) ?? options.GradientClipNorm;
            options.WarmupSteps = parsed.GetValue(warmup) ?? options.WarmupSteps;
            options.BatchNormRecalibrationImages = parsed.GetValue(recalibration) ?? options.BatchNormRecalibrationImages;
            if (parsed.GetValue(classLossWeight) is double classWeight)
                (options.ClassLossWeight, options.ClassCost) = classWeight > 0 ? (classWeight, classWeight)
                    : throw new ArgumentException($"--class-loss-weight must be above 0; got {classWeight}.");
            if (parsed.GetValue(weightAverage) is double averageDecay)
                options.WeightAverageDecay = averageDecay > 0 ? averageDecay : null;
            if (parsed.GetValue(size) is int pixels)
                options.Augmentation = chosen.Name == DetrRecipes.FineTuneName ? DetrAugmentationOptions.ScaledTo(pixels)
                    : options.Augmentation.AtFixedSize(pixels);
            if (parsed.GetValue(scaleJitter) is string range)
            {
                var (low, high) = ParseScaleJitter(range);
                options.Augmentation = options.Augmentation with { ScaleJitterMin = low, ScaleJitterMax = high };
            }
            if (parsed.GetValue(mosaic) is double probability)
                options.Augmentation = options.Augmentation with
                {
                    MosaicProbability = probability is >= 0 and <= 1 ? probability : throw new ArgumentException($"--mosaic must lie in [0, 1]; got {probability}."),
                };
            if (parsed.GetValue(colorJitter) is double strength)
                options.Augmentation = options.Augmentation with
                {
                    ColorJitter = strength is >= 0 and < 1 ? strength : throw new ArgumentException($"--color-jitter must lie in [0, 1); got {strength}."),
                };
            console.Rich.MarkupLine($"[green]data[/]     {Markup.Escape(profile.ToString())}");
            console.Rich.MarkupLine($"[green]recipe[/]   {chosen.Name}: {Markup.Escape(chosen.Reason)}{(parsed.GetValue(recipe) is null ? " (--recipe to choose another)" : "")}");
            console.Rich.MarkupLine($"[green]model[/]    {Markup.Escape(options.Model!.Summary)}; batch {options.BatchSize}, lr {options.LearningRate:0.0e0}, {options.Augmentation.EvaluationSize} px");

            var train = ImageLoading.WithImages(ml, ml.Data.LoadFromDetectionDataset(dataset));
            var validationData = parsed.GetValue(validation) is string v ? ImageLoading.WithImages(ml, ml.Data.LoadFromCocoJson(v, parsed.GetValue(images))) : null;
            string outFolder = parsed.GetValue(output)!;
            using var cancellation = CancelOnCtrlC.Create();
            options.StartFromCheckpoint = startFrom;
            options.StartFromBackbone = startBackbone;
            options.CheckpointDirectory = Path.Combine(outFolder, "checkpoints");
            options.Resume = parsed.GetValue(resume);
            options.ValidationData = validationData;
            options.MaxTrainingTime = parsed.GetValue(timeLimit) is double minutes ? TimeSpan.FromMinutes(minutes) : null;
            options.Device = parsed.GetValue(device)!;
            options.Seed = parsed.GetValue(seed);
            options.SkipUnreadableImages = parsed.GetValue(skipUnreadable);
            options.MaxImagePixels = ImageLimitOption.Value(parsed, maxPixels);
            var progress = new TrainingProgressPrinter(console);
            options.Progress = progress;
            options.CancellationToken = cancellation.Token;
            var trainer = ml.Detection().Trainers.Detr(options);
            var trained = progress.Show(() => trainer.Fit(train));
            foreach (var problem in trainer.SkippedImages)
                console.Error.WriteLine($"detr: skipped {problem}");
            if (trainer.SkippedImages.Count > 0)
                console.Error.WriteLine($"detr: {trainer.SkippedImages.Count} unreadable images left out of training and validation.");
            TrainedModelFiles.Save(ml, trained, outFolder);
            using (var chart = TrainingCharts.LossCurve(trainer.LastRun!.History))
                TrainingCharts.SavePng(chart, Path.Combine(outFolder, "loss-curve.png"));
            console.Rich.MarkupLine($"[green]done[/] model.onnx, model.zip, checkpoints/ and loss-curve.png → {Markup.Escape(outFolder)}");
            return 0;
        });
        return command;
    }

    static (double Low, double High) ParseScaleJitter(string range)
    {
        var parts = range.Split(',');
        if (parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out double low)
            && double.TryParse(parts[1], CultureInfo.InvariantCulture, out double high) && low > 0 && low <= high && high <= 4)
            return (low, high);
        throw new ArgumentException($"--scale-jitter takes MIN,MAX with 0 < MIN <= MAX <= 4 (e.g. 0.8,1.25); got '{range}'.");
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
