using System.Text.Json;
using Detr.Cli.Commands;
using Detr.MLNet;
using Detr.MLNet.Data;
using Detr.MLNet.Data.Synthetic;
using Detr.MLNet.Evaluation;
using Detr.MLNet.Imaging;
using Detr.MLNet.Rendering;
using Detr.MLNet.Scoring;
using Detr.Training;
using Detr.Training.Augmentation;
using Detr.Training.Training;
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
        var (trainer, model) = Train(ml, data);
        var (metrics, predictions, validation) = ScoreAndEvaluate(ml, model);
        WriteOutputs(ml, data, trainer, model, metrics, predictions, validation);
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

    (DetrTrainer Trainer, DetrScoringTransformer Model) Train(MLContext ml, SyntheticShapesSummary data)
    {
        var annotations = ml.Data.LoadFromCocoJson(data.TrainAnnotations, data.Folder);
        var train = DetrScoringTransformerPipeline.WithImages(ml, annotations);
        var validation = DetrScoringTransformerPipeline.WithImages(ml, ml.Data.LoadFromCocoJson(data.ValidationAnnotations, data.Folder));
        var recipe = DetrRecipes.FromScratch(DatasetProfile.Of(annotations.Dataset));
        var options = recipe.Options;
        options.Model = preset.Model;
        // The time budget ends the run; the recipe drops the learning rate at two thirds of it.
        options.Epochs = preset.MaxEpochs;
        options.LearningRateDropEpochs = preset.MaxEpochs;
        options.CheckpointDirectory = Path.Combine(outputFolder, "checkpoints");
        options.ValidationData = validation;
        options.ValidateEveryEpochs = preset.ValidateEveryEpochs;
        options.MaxTrainingTime = preset.TrainingBudget;
        options.Progress = new TrainingProgressPrinter(console);
        options.CancellationToken = cancellation;
        options.Seed = 7;
        console.Rich.MarkupLine($"[green]train[/]    {Markup.Escape(preset.Model.Summary)} for up to {preset.TrainingBudget.TotalMinutes:0.#} minutes ({recipe.Name} recipe)");
        var trainer = ml.Detection().Trainers.Detr(options);
        var model = trainer.Fit(train);
        var run = trainer.LastRun!;
        console.Rich.MarkupLine($"[green]trained[/]  {run.Steps} steps, {run.EpochsCompleted} epochs{(run.StoppedByTimeLimit ? " (time budget reached)" : "")}");
        return (trainer, model);
    }

    (CocoMetrics Metrics, List<PredictionRow> Predictions, DetectionDatasetDataView Validation) ScoreAndEvaluate(MLContext ml, DetrScoringTransformer trained)
    {
        var validation = ml.Data.LoadFromCocoJson(Path.Combine(outputFolder, "data", "val.json"), Path.Combine(outputFolder, "data"));
        // mAP needs every query: score again from the same ONNX bytes with threshold 0.
        var scorer = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
            .Append(ml.Transforms.ApplyDetr(new DetrScoringOptions
            {
                ModelBytes = trained.Model.ModelBytes, ScoreThreshold = 0, MaxDetections = 100,
                ShortestEdge = trained.Model.ShortestEdge, LongestEdge = trained.Model.LongestEdge,
            })).Fit(validation);
        var scored = scorer.Transform(validation);
        var metrics = ml.Detection().Evaluate(scored);
        var predictions = ml.Data.CreateEnumerable<PredictionRow>(scored, reuseRowObject: false).ToList();
        console.Rich.MarkupLine($"[green]evaluate[/] COCO on {predictions.Count} held-out images: AP {metrics.AP:0.000}, AP50 {metrics.AP50:0.000}, AR100 {metrics.AR100:0.000}");
        return (metrics, predictions, validation);
    }

    void WriteOutputs(MLContext ml, SyntheticShapesSummary data, DetrTrainer trainer, DetrScoringTransformer model, CocoMetrics metrics,
        List<PredictionRow> predictions, DetectionDatasetDataView validation)
    {
        var dataset = validation.Dataset;
        var categoryNames = dataset.Categories.ToDictionary(c => c.Id, c => c.Name);

        DetrScoringTransformerPipeline.Save(ml, model, validation, outputFolder);

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
            DetectionRenderer.SavePng(loss, Path.Combine(outputFolder, "loss-curve.png"));
        using (var curve = TrainingCharts.ValidationCurve(run.History))
            if (curve is not null)
                DetectionRenderer.SavePng(curve, Path.Combine(outputFolder, "validation-curve.png"));
        var keyToCategory = dataset.Categories.Select((c, i) => (Key: i + 1, c.Id)).ToDictionary(p => p.Key, p => p.Id);
        using (var pr = TrainingCharts.PrecisionRecall(metrics, keyToCategory.ToDictionary(p => p.Key, p => categoryNames[p.Value])))
            DetectionRenderer.SavePng(pr, Path.Combine(outputFolder, "pr-curve.png"));

        var results = new List<CocoResultEntry>();
        var imageIds = dataset.Images.ToDictionary(i => i.Path, i => i.Id);
        string pictures = Path.Combine(outputFolder, "predictions");
        var labels = dataset.Categories.Select(c => c.Name).ToArray();
        for (int r = 0; r < predictions.Count; r++)
        {
            var p = predictions[r];
            for (int i = 0; i < p.Score.Length; i++)
            {
                float x0 = p.PredictedBoundingBoxes[i * 4], y0 = p.PredictedBoundingBoxes[i * 4 + 1];
                results.Add(new CocoResultEntry
                {
                    ImageId = imageIds[p.ImagePath], CategoryId = keyToCategory[(int)p.PredictedLabel[i]],
                    Bbox = [x0, y0, p.PredictedBoundingBoxes[i * 4 + 2] - x0, p.PredictedBoundingBoxes[i * 4 + 3] - y0], Score = p.Score[i],
                });
            }
            if (r < 12)
            {
                var image = RgbImage.DecodeUnpremultiplied(p.ImagePath)!;
                var truth = dataset.Images.Single(i => i.Path == p.ImagePath).Boxes
                    .Select(b => new DrawnBox(b.X0, b.Y0, b.X1, b.Y1, dataset.ClassIndexOf(b.CategoryId), categoryNames[b.CategoryId]));
                var found = DrawnBox.FromPredictions(p.PredictedLabel, p.Score, p.PredictedBoundingBoxes, labels).Where(d => d.Score >= 0.5f);
                using var picture = DetectionRenderer.SideBySide(Upscaled(image), Scaled(truth, image), Scaled(found, image));
                DetectionRenderer.SavePng(picture, Path.Combine(pictures, Path.GetFileNameWithoutExtension(p.ImagePath) + ".png"));
            }
        }
        CocoDatasetWriter.WriteResults(results, Path.Combine(outputFolder, "predictions.json"));

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
