using System.Reflection;
using System.Text.Json;
using Detr.Cli.Commands;
using Detr.MLNet;
using Detr.MLNet.Data;
using Detr.MLNet.Data.Synthetic;
using Detr.MLNet.Imaging;
using Detr.MLNet.Rendering;
using Microsoft.ML;
using Spectre.Console;

namespace Detr.Cli.Demo;

/// <summary>
/// The demo, step by step: make the shapes dataset, obtain a model, score the held-out split through the ML.NET
/// pipeline, and write the results to the output folder.
/// </summary>
public sealed class DemoRunner(CliConsole console, string outputFolder, DemoPreset preset)
{
    const string EmbeddedModel = "Detr.Cli.DefaultModels.detr_tiny_untrained.onnx";

    /// <summary>Runs every step; returns the output folder's summary file.</summary>
    public string Run()
    {
        Directory.CreateDirectory(outputFolder);
        var data = MakeData();
        string modelPath = ObtainModel();
        var predictions = Score(modelPath, data);
        return WriteSummary(data, modelPath, predictions);
    }

    SyntheticShapesSummary MakeData()
    {
        int total = preset.TrainImages + preset.ValidationImages;
        var summary = SyntheticShapesDataset.Write(Path.Combine(outputFolder, "data"), new SyntheticShapesOptions
        {
            ImageCount = total,
            ValidationFraction = (double)preset.ValidationImages / total,
            Width = preset.ImageSize,
            Height = preset.ImageSize,
            Seed = 2020,
        });
        console.Rich.MarkupLine($"[green]data[/]  {summary.TrainImages} training and {summary.ValidationImages} validation images, {summary.Objects} shapes → {Markup.Escape(summary.Folder)}");
        return summary;
    }

    // Until the trainer is wired in, the demo scores with the small untrained model it carries.
    string ObtainModel()
    {
        string path = Path.Combine(outputFolder, "model.onnx");
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream(EmbeddedModel)
            ?? throw new InvalidOperationException($"The tool is missing its embedded model '{EmbeddedModel}'.");
        using (var file = File.Create(path))
            resource.CopyTo(file);
        console.Rich.MarkupLine("[yellow]model[/] the embedded DETR is untrained (random weights): its detections are not meaningful yet.");
        return path;
    }

    List<PredictionRow> Score(string modelPath, SyntheticShapesSummary data)
    {
        var ml = new MLContext(seed: 0);
        var validation = ml.Data.LoadFromCocoJson(data.ValidationAnnotations, data.Folder);
        var (model, _) = ModelSource.Open(ml, modelPath, threshold: 0f, maxDetections: 100);
        var rows = ml.Data.LoadFromEnumerable(validation.Dataset.Images.Select(i => new ImagePathRow { ImagePath = i.Path }));
        var predictions = ml.Data.CreateEnumerable<PredictionRow>(model.Transform(rows), reuseRowObject: false).ToList();
        console.Rich.MarkupLine($"[green]score[/] {predictions.Count} validation images through LoadImages → ApplyDetr");
        return predictions;
    }

    string WriteSummary(SyntheticShapesSummary data, string modelPath, List<PredictionRow> predictions)
    {
        var validation = CocoDatasetReader.Read(data.ValidationAnnotations, data.Folder);
        var imageIds = validation.Images.ToDictionary(i => i.Path, i => i.Id);
        var results = new List<CocoResultEntry>();
        string pictures = Path.Combine(outputFolder, "predictions");
        Directory.CreateDirectory(pictures);
        using var scoring = Detr.MLNet.Scoring.DetrScoringModel.Open(new Detr.MLNet.Scoring.DetrScoringOptions { ModelPath = modelPath });
        var labels = scoring.LabelNames;
        foreach (var p in predictions)
        {
            for (int i = 0; i < p.Score.Length; i++)
            {
                int classIndex = (int)p.PredictedLabel[i] - 1;
                if (classIndex >= validation.Categories.Count)
                    continue; // a class the dataset does not have
                float x0 = p.PredictedBoundingBoxes[i * 4], y0 = p.PredictedBoundingBoxes[i * 4 + 1];
                results.Add(new CocoResultEntry
                {
                    ImageId = imageIds[p.ImagePath],
                    CategoryId = validation.Categories[classIndex].Id,
                    Bbox = [x0, y0, p.PredictedBoundingBoxes[i * 4 + 2] - x0, p.PredictedBoundingBoxes[i * 4 + 3] - y0],
                    Score = p.Score[i],
                });
            }
        }
        foreach (var p in predictions.Take(8))
        {
            var image = RgbImage.DecodeUnpremultiplied(p.ImagePath)!;
            var truth = validation.Images.Single(i => i.Path == p.ImagePath).Boxes
                .Select(b => new DrawnBox(b.X0, b.Y0, b.X1, b.Y1, validation.ClassIndexOf(b.CategoryId), validation.Categories[validation.ClassIndexOf(b.CategoryId)].Name));
            var found = DrawnBox.FromPredictions(p.PredictedLabel, p.Score, p.PredictedBoundingBoxes, labels).Where(d => d.Score >= 0.5f);
            using var picture = DetectionRenderer.SideBySide(image, truth, found);
            DetectionRenderer.SavePng(picture, Path.Combine(pictures, Path.GetFileNameWithoutExtension(p.ImagePath) + ".png"));
        }
        string resultsPath = Path.Combine(outputFolder, "predictions.json");
        CocoDatasetWriter.WriteResults(results, resultsPath);
        string summaryPath = Path.Combine(outputFolder, "summary.json");
        var summary = new { preset = preset.Name, model = modelPath, trained = false, validation_images = predictions.Count, detections = results.Count, predictions = resultsPath };
        Detr.MLNet.AtomicFile.Write(summaryPath, s => JsonSerializer.Serialize(s, summary, new JsonSerializerOptions { WriteIndented = true }));
        console.Rich.MarkupLine($"[green]done[/]  {results.Count} detections → {Markup.Escape(resultsPath)}; pictures → {Markup.Escape(pictures)}");
        return summaryPath;
    }
}
