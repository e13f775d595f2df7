using System.Text.Json;
using Detr.Cli.Demo;
using Detr.Cli.Reporting;

namespace Detr.Cli.Tests;

public class InspectAndDemoTests
{
    [Fact]
    public void InspectShowsLayoutInputsAndLabels()
    {
        var result = CliRun.Run("inspect", CliRun.Fixture("detr_tiny_hf.onnx"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Transformers", result.Output);
        Assert.Contains("pixel_mask", result.Output);
        Assert.Contains("circle, square, triangle, star", result.Output);
    }

    [Fact]
    public void DemoTrainsExportsScoresEvaluatesAndWritesEveryOutput()
    {
        using var folder = new TempFolder();
        var result = CliRun.Run("demo", "--out", folder.Path, "--preset", "tiny");
        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        foreach (var file in new[] { "data/train.json", "model.zip", "model.onnx", "metrics.json", "loss-curve.png", "pr-curve.png", "predictions.json" })
            Assert.True(File.Exists(Path.Combine(folder.Path, file)), $"missing {file}");
        // validation-curve.png only where training validated within the preset's time.
        foreach (var chart in new[] { "loss-curve.png", "validation-curve.png", "pr-curve.png" }.Where(c => File.Exists(Path.Combine(folder.Path, c))))
        {
            using var png = SkiaSharp.SKBitmap.Decode(Path.Combine(folder.Path, chart));
            Assert.Equal((TrainingCharts.Width, TrainingCharts.Height), (png.Width, png.Height));
        }
        using var predictions = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "predictions.json")));
        var imageIds = predictions.RootElement.EnumerateArray().Select(e => e.GetProperty("image_id").GetInt32()).Distinct().Count();
        Assert.Equal(DemoPreset.Tiny.ValidationImages, imageIds); // every validation image
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "metrics.json")));
        Assert.Equal(12, metrics.RootElement.GetProperty("stats").EnumerateObject().Count());
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder.Path, "predictions"), "*.png"));
        // The saved pipeline scores with the trained model through the CLI's zip path.
        var predict = CliRun.Run("predict", "--model", Path.Combine(folder.Path, "model.zip"), "--folder", Path.Combine(folder.Path, "data", "images"), "--json", "--threshold", "0");
        Assert.True(predict.ExitCode == 0, predict.Error);
        Assert.Equal(DemoPreset.Tiny.TrainImages + DemoPreset.Tiny.ValidationImages, predict.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
