using System.Text.Json;

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
    public void DemoWritesDataPredictionsAndPictures()
    {
        using var folder = new TempFolder();
        var result = CliRun.Run("demo", "--out", folder.Path, "--preset", "tiny");
        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.True(File.Exists(Path.Combine(folder.Path, "data", "train.json")));
        using var predictions = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "predictions.json")));
        var imageIds = predictions.RootElement.EnumerateArray().Select(e => e.GetProperty("image_id").GetInt32()).Distinct().Count();
        Assert.Equal(4, imageIds); // every validation image of the tiny preset
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder.Path, "predictions"), "*.png"));
    }
}
