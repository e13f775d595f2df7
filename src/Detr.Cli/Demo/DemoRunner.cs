using System.Text.Json;
using Detr.Cli.Pipeline;
using Detr.Cli.Reporting;
using Detr.MLNet;
using Detr.MLNet.Data;
using Detr.MLNet.Data.Synthetic;
using Detr.MLNet.Evaluation;
using Detr.MLNet.Imaging;
using Detr.MLNet.Rendering;
using Detr.MLNet.Scoring;
using Detr.Training;
using Detr.Training.Augmentation;
using Detr.Training.Trainers;
using Microsoft.ML;
using Spectre.Console;

namespace Detr.Cli.Demo;

/// <summary>
/// The demo, step by step: make the shapes dataset, train a small DETR within the preset's time budget, export it
/// to ONNX, score the held-out split through the ML.NET pipeline, evaluate COCO mAP and write everything to the
/// output folder (model zip, ONNX, metrics.json, loss and precision–recall curves, annotated pictures).
/// </summary>
public sealed class DemoRunner(CliConsole console, string outputFolder, DemoPreset preset, CancellationToken cancellation = default)
{
    /// <summary>Runs every step; returns the metrics.</summary>
    public CocoMetrics Run()
    {
        Directory.CreateDirectory(outputFolder);
        var data = MakeData();
        var ml = new MLContext(seed: 0);
        var validation = ml.Data.LoadFromCocoJson(data.ValidationAnnotations, data.Folder);
        var (trainer, model) = Train(ml, data, validation);
        var (metrics, detections, predictions) = ScoreAndEvaluate(ml, model, validation);
        WriteOutputs(ml, trainer, model, metrics, detections, predictions, validation.Dataset);
        return metrics;
    }

    SyntheticShapesSummary MakeData()
    {
        int total = preset.TrainImages + preset.ValidationImages;
        var summary = SyntheticShapesDataset.Write(Path.Combine(outputFolder, "data"), new SyntheticShapesOptions
        {
            ImageCount = total, ValidationFraction = (double)preset.ValidationImages / total,
            Width = preset.ImageSize, Height = preset.ImageSize, Seed = 2020,
        });
        console.Rich.MarkupLine($"[green]data[/]     {summary.TrainImages} training and {summary.ValidationImages} validation images, {summary.Objects} shapes → {Markup.Escape(summary.Folder)}");
        return summary;
    }

    (DetrTrainer Trainer, DetrScoringTransformer Model) Train(MLContext ml, SyntheticShapesSummary data, DetectionDatasetDataView validation)
    {
        var annotations = ml.Data.LoadFromCocoJson(data.TrainAnnotations, data.Folder);
        var train = ImageLoading.WithImages(ml, annotations);
        var recipe = DetrRecipes.FromScratch(DatasetProfile.Of(annotations.Dataset));
        var options = recipe.Options;
        options.Model = preset.Model;
        // The time budget ends the run; the recipe drops the learning rate at five sixths of it.
        options.Epochs = preset.MaxEpochs;
        options.LearningRateDropEpochs = preset.MaxEpochs;
        options.CheckpointDirectory = Path.Combine(outputFolder, "checkpoints");
        options.ValidationData = ImageLoading.WithImages(ml, validation);
        options.ValidateEveryEpochs = preset.ValidateEveryEpochs;
        options.MaxTrainingTime = preset.TrainingBudget;
        var progress = new TrainingProgressPrinter(console);
        options.Progress = progress;
        options.CancellationToken = cancellation;
        options.Seed = 7;
        console.Rich.MarkupLine($"[green]train[/]    {Markup.Escape(preset.Model.Summary)} for up to {preset.TrainingBudget.TotalMinutes:0.#} minutes ({recipe.Name} recipe)");
        var trainer = ml.Detection().Trainers.Detr(options);
        var model = progress.Show(() => trainer.Fit(train));
        var run = trainer.LastRun!;
        console.Rich.MarkupLine($"[green]trained[/]  {run.Steps} steps, {run.EpochsCompleted} epochs{(run.StoppedByTimeLimit ? " (time budget reached)" : "")}");
        return (trainer, model);
    }

    // One pass over the held-out images, each decoded and scored once: the metrics and predictions.json both come
    // from these detections, in the dataset's own image and category ids.
    (CocoMetrics Metrics, List<CocoDetection> Detections, List<PredictionRow> Predictions) ScoreAndEvaluate(MLContext ml, DetrScoringTransformer trained,
        DetectionDatasetDataView validationView)
    {
        var validation = validationView.Dataset;
        // mAP needs every query: the trained model's session, with threshold 0.
        using var everyQuery = trained.WithOptions(o => { o.ScoreThreshold = 0; o.MaxDetections = 100; });
        var scored = everyQuery.Transform(ImageLoading.WithImages(ml, validationView));
        var predictions = ml.Data.CreateEnumerable<PredictionRow>(scored, reuseRowObject: false).ToList();
        var imageIds = validation.Images.ToDictionary(i => i.Path, i => i.Id);
        var detections = predictions.SelectMany(p => p.Score.Select((score, i) =>
            CocoDetection.FromXyxy(imageIds[p.ImagePath], validation.Categories[(int)p.PredictedLabel[i] - 1].Id, p.PredictedBoundingBoxes, i, score))).ToList();
        var groundTruth = validation.Images.SelectMany(i => i.Boxes.Select(b =>
            CocoGroundTruthBox.FromXyxy(i.Id, b.CategoryId, [b.X0, b.Y0, b.X1, b.Y1], 0, b.Area, b.IsCrowd))).ToList();
        var metrics = new CocoEvaluator().Evaluate(groundTruth, detections, validation.Images.Select(i => i.Id).ToArray(),
            validation.Categories.Select(c => c.Id).ToArray());
        console.Rich.MarkupLine($"[green]evaluate[/] COCO on {predictions.Count} held-out images: AP {metrics.AP:0.000}, AP50 {metrics.AP50:0.000}, AR100 {metrics.AR100:0.000}");
        return (metrics, detections, predictions);
    }

    void WriteOutputs(MLContext ml, DetrTrainer trainer, DetrScoringTransformer model, CocoMetrics metrics, List<CocoDetection> detections,
        List<PredictionRow> predictions, DetectionDataset dataset)
    {
        var categoryNames = dataset.Categories.ToDictionary(c => c.Id, c => c.Name);

        TrainedModelFiles.Save(ml, model, outputFolder);

        var run = trainer.LastRun ?? throw new InvalidOperationException("The trainer has not run.");
        var named = metrics.ToNamedStats();
        var perClass = metrics.PerCategoryAP.ToDictionary(p => categoryNames.GetValueOrDefault(p.Key, p.Key.ToString()), p => p.Value);
        AtomicFile.Write(Path.Combine(outputFolder, "metrics.json"), s => JsonSerializer.Serialize(s,
            new
            {
                preset = preset.Name, stats = named, per_class_ap = perClass, training_steps = run.Steps, epochs = run.EpochsCompleted,
                validation_curve = run.History.Where(h => h.Validation is not null)
                    .Select(h => new { step = h.GlobalStep, epoch = h.Epoch, ap = h.Validation!["AP"], ap50 = h.Validation["AP50"], loss = h.Validation["loss"] }),
            },
            new JsonSerializerOptions { WriteIndented = true }));

        using (var loss = TrainingCharts.LossCurve(run.History))
            TrainingCharts.SavePng(loss, Path.Combine(outputFolder, "loss-curve.png"));
        using (var curve = TrainingCharts.ValidationCurve(run.History))
            if (curve is not null)
                TrainingCharts.SavePng(curve, Path.Combine(outputFolder, "validation-curve.png"));
        using (var pr = TrainingCharts.PrecisionRecall(metrics, categoryNames))
            TrainingCharts.SavePng(pr, Path.Combine(outputFolder, "pr-curve.png"));

        string pictures = Path.Combine(outputFolder, "predictions");
        var labels = dataset.Categories.Select(c => c.Name).ToArray();
        foreach (var p in predictions.Take(12))
        {
            // Drawn from the file again: pictures want straight colours, and only these few are drawn.
            var image = RgbImage.DecodeUnpremultiplied(p.ImagePath)!;
            var truth = dataset.Images.Single(i => i.Path == p.ImagePath).Boxes
                .Select(b => new DrawnBox(b.X0, b.Y0, b.X1, b.Y1, dataset.ClassIndexOf(b.CategoryId), categoryNames[b.CategoryId]));
            var found = DrawnBox.FromPredictions(p.PredictedLabel, p.Score, p.PredictedBoundingBoxes, labels).Where(d => d.Score >= 0.5f);
            using var picture = DetectionRenderer.SideBySide(Upscaled(image), Scaled(truth, image), Scaled(found, image));
            DetectionRenderer.SavePng(picture, Path.Combine(pictures, Path.GetFileNameWithoutExtension(p.ImagePath) + ".png"));
        }
        CocoDatasetWriter.WriteResults(detections, Path.Combine(outputFolder, "predictions.json"));

        var table = new Table().AddColumns("metric", "value");
        foreach (var (name, value) in named)
            table.AddRow(name, value.ToString("0.000"));
        foreach (var (name, value) in perClass)
            table.AddRow(Markup.Escape($"AP {name}"), value.ToString("0.000"));
        console.Rich.Write(table);
        console.Rich.MarkupLine($"[green]done[/]     model.zip, model.onnx, metrics.json, loss-curve.png, pr-curve.png and predictions/ → {Markup.Escape(outputFolder)}");
    }

    // Small synthetic images are drawn larger so captions stay readable.
    const int PictureScale = 3;

    static RgbImage Upscaled(RgbImage image)
    {
        var pixels = new byte[image.Width * PictureScale * image.Height * PictureScale * 3];
        Detr.MLNet.Preprocessing.PillowBilinearResize.Resize(image.Pixels, image.Width, image.Height, pixels, image.Width * PictureScale, image.Height * PictureScale);
        return new RgbImage(pixels, image.Width * PictureScale, image.Height * PictureScale);
    }

    static IEnumerable<DrawnBox> Scaled(IEnumerable<DrawnBox> boxes, RgbImage image) =>
        boxes.Select(b => b with { X0 = b.X0 * PictureScale, Y0 = b.Y0 * PictureScale, X1 = b.X1 * PictureScale, Y1 = b.Y1 * PictureScale });

}
