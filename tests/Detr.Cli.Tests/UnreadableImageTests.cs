using System.Text.Json;
using Detr.Tests.Shared;

namespace Detr.Cli.Tests;

public class UnreadableImageTests
{
    /// <summary>A folder of two good images, an image bomb, a cut-off PNG and a file of noise, in that name order.</summary>
    static string MixedFolder(TempFolder folder)
    {
        File.Copy(CliRun.Fixture("e2e_0.png"), Path.Combine(folder.Path, "a_good.png"));
        File.WriteAllBytes(Path.Combine(folder.Path, "b_bomb.png"), CraftedPng.Claiming(60000, 60000));
        string cut = Path.Combine(folder.Path, "c_cut.png");
        File.Copy(CliRun.Fixture("e2e_1.png"), cut);
        CraftedPng.Truncate(cut);
        File.WriteAllBytes(Path.Combine(folder.Path, "d_noise.jpg"), [1, 2, 3, 4, 5, 6, 7, 8]);
        File.Copy(CliRun.Fixture("e2e_2.png"), Path.Combine(folder.Path, "e_good.png"));
        return folder.Path;
    }

    [Fact]
    public void FolderWithBadImagesScoresTheRestAndReportsEachBadOne()
    {
        using var folder = new TempFolder();
        var result = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--folder", MixedFolder(folder), "--json", "--threshold", "0");
        Assert.Equal(DetrCommandLine.SomeImagesFailed, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(5, lines.Length);
        string[] names = lines.Select(l => Path.GetFileName(l.GetProperty("image").GetString()!)).ToArray();
        Assert.Equal(["a_good.png", "b_bomb.png", "c_cut.png", "d_noise.jpg", "e_good.png"], names);
        foreach (int good in new[] { 0, 4 })
            Assert.Equal(10, lines[good].GetProperty("detections").GetArrayLength());
        foreach (int bad in new[] { 1, 2, 3 })
        {
            Assert.False(lines[bad].TryGetProperty("detections", out _));
            Assert.False(string.IsNullOrWhiteSpace(lines[bad].GetProperty("error").GetString()));
        }
        Assert.Contains("60000x60000", lines[1].GetProperty("error").GetString());
        Assert.Contains("truncated", lines[2].GetProperty("error").GetString());
        var errors = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, errors.Length);
        Assert.Contains(errors, e => e.Contains("b_bomb.png"));
        Assert.Contains(errors, e => e.Contains("c_cut.png"));
        Assert.Contains(errors, e => e.Contains("d_noise.jpg"));
        Assert.Contains("3 of 5 images could not be read", errors[^1]);
    }

    [Fact]
    public void TableOutputAlsoScoresTheRestAndReportsOnStderr()
    {
        using var folder = new TempFolder();
        var result = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--folder", MixedFolder(folder));
        Assert.Equal(DetrCommandLine.SomeImagesFailed, result.ExitCode);
        Assert.Contains("a_good.png", result.Output);
        Assert.Contains("e_good.png", result.Output);
        Assert.Contains("b_bomb.png", result.Error);
    }

    [Fact]
    public void MissingImageAmongSeveralIsReportedAndTheOthersScored()
    {
        var result = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--image", CliRun.Fixture("e2e_0.png"),
            "--image", "/no/such/image.png", "--image", CliRun.Fixture("e2e_1.png"), "--json");
        Assert.Equal(DetrCommandLine.SomeImagesFailed, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Equal("/no/such/image.png", lines[1].GetProperty("image").GetString());
        Assert.True(lines[1].TryGetProperty("error", out _));
        Assert.True(lines[2].TryGetProperty("detections", out _));
        Assert.Contains("/no/such/image.png", result.Error);
    }

    [Fact]
    public void FailFastKeepsStoppingAtTheFirstBadImage()
    {
        using var folder = new TempFolder();
        var result = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--folder", MixedFolder(folder), "--json", "--fail-fast");
        Assert.Equal(DetrCommandLine.BadInput, result.ExitCode);
        Assert.Contains("b_bomb.png", result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var missing = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--image", "/no/such/image.png", "--fail-fast");
        Assert.Equal(DetrCommandLine.BadInput, missing.ExitCode);
        Assert.Contains("Image not found", missing.Error);
    }

    [Fact]
    public void EvaluateSkipsUnreadableImagesWhenAskedAndCountsThem()
    {
        using var folder = new TempFolder();
        File.Copy(CliRun.Fixture("e2e_0.png"), Path.Combine(folder.Path, "good.png"));
        File.Copy(CliRun.Fixture("e2e_1.png"), Path.Combine(folder.Path, "cut.png"));
        CraftedPng.Truncate(Path.Combine(folder.Path, "cut.png"));
        string gt = Path.Combine(folder.Path, "gt.json");
        File.WriteAllText(gt, """
            {"images": [{"id": 1, "file_name": "good.png", "width": 120, "height": 80}, {"id": 2, "file_name": "cut.png", "width": 120, "height": 80}],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 30, 30], "area": 900, "iscrowd": 0},
                             {"id": 2, "image_id": 2, "category_id": 2, "bbox": [50, 20, 20, 40], "area": 800, "iscrowd": 0}],
             "categories": [{"id": 1, "name": "circle"}, {"id": 2, "name": "square"}, {"id": 3, "name": "triangle"}, {"id": 4, "name": "star"}]}
            """);
        var stopped = CliRun.Run("evaluate", "--gt", gt, "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--json");
        Assert.Equal(DetrCommandLine.BadInput, stopped.ExitCode);
        Assert.Contains("cut.png", stopped.Error);

        var skipped = CliRun.Run("evaluate", "--gt", gt, "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--json", "--skip-unreadable");
        Assert.True(skipped.ExitCode == 0, skipped.Error);
        using var stats = JsonDocument.Parse(skipped.Output);
        Assert.Equal(12, stats.RootElement.EnumerateObject().Count());
        Assert.Contains("1 of 2 images scored, 1 unreadable", skipped.Error);
        Assert.Contains("cut.png", skipped.Error);
    }
}
