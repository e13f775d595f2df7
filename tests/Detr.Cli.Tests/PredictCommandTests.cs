using System.Text.Json;
using Detr.Tests.Shared;

namespace Detr.Cli.Tests;

public class PredictCommandTests
{
    [Fact]
    public void JsonPrintsOneObjectPerImageWithEveryQueryAtThresholdZero()
    {
        var (expected, shortest, longest) = ReferenceDetections.Load(CliRun.Fixture("e2e_hf_expected.json"));
        var result = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--image", CliRun.Fixture("e2e_0.png"),
            "--image", CliRun.Fixture("e2e_1.png"), "--json", "--threshold", "0",
            "--shortest-edge", shortest.ToString(), "--longest-edge", longest.ToString());
        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.EndsWith("e2e_0.png", first.RootElement.GetProperty("image").GetString());
        var detections = first.RootElement.GetProperty("detections").EnumerateArray().ToArray();
        Assert.Equal(10, detections.Length);
        foreach (var d in detections)
        {
            Assert.Contains(d.GetProperty("label").GetString(), new[] { "circle", "square", "triangle", "star" });
            Assert.Equal(4, d.GetProperty("box").GetArrayLength());
        }
        // The reference's detections of e2e_0.png, boxes in its pixels.
        expected[0].AssertMatches(detections.Select(d => (uint)d.GetProperty("label_id").GetInt32() + 1).ToArray(),
            detections.Select(d => d.GetProperty("score").GetSingle()).ToArray(),
            detections.SelectMany(d => d.GetProperty("box").EnumerateArray().Select(v => v.GetSingle())).ToArray());
    }

    [Theory]
    [InlineData("cuda", "detr: warning: CUDA execution provider unavailable")]
    [InlineData("tensorrt", "detr: warning: TensorRT execution provider unavailable")]
    public void GpuDeviceWithTheCpuBuildWarnsOnStderrAndScoresOnTheCpu(string device, string warning)
    {
        var result = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--image", CliRun.Fixture("e2e_0.png"),
            "--json", "--threshold", "0", "--device", device);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(warning, result.Error);
        Assert.Contains("Detr.MLNet.Gpu", result.Error);
        using var line = JsonDocument.Parse(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single());
        Assert.Equal(10, line.RootElement.GetProperty("detections").GetArrayLength());
    }

    [Fact]
    public void WritesAnnotatedPictures()
    {
        using var folder = new TempFolder();
        var result = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--image", CliRun.Fixture("e2e_0.png"), "--out", folder.Path);
        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(folder.Path, "e2e_0.detections.png")));
    }

    [Theory]
    [InlineData("/no/such/model.onnx", "Model not found")]
    [InlineData("not_detr_classifier.onnx", "not a DETR model")]
    public void BadModelGivesOneLineAndNonZeroExit(string model, string expected)
    {
        string path = model.StartsWith('/') ? model : CliRun.Fixture(model);
        var result = CliRun.Run("predict", "--model", path, "--image", CliRun.Fixture("e2e_0.png"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ImageBombIsRefusedQuicklyNamingTheFlag()
    {
        using var folder = new TempFolder();
        string bomb = Path.Combine(folder.Path, "bomb.png");
        File.WriteAllBytes(bomb, CraftedPng.Claiming(60000, 60000));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--image", bomb);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Equal(DetrCommandLine.SomeImagesFailed, result.ExitCode);
        Assert.Contains("bomb.png", result.Error);
        Assert.Contains("60000x60000", result.Error);
        Assert.Contains("--max-image-pixels", result.Error);
    }

    [Fact]
    public void ImageLimitFlagIsApplied()
    {
        var image = CliRun.Fixture("e2e_0.png");
        var refused = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--image", image, "--json", "--max-image-pixels", "100");
        Assert.Equal(DetrCommandLine.SomeImagesFailed, refused.ExitCode);
        Assert.Contains("e2e_0.png", refused.Error);
        var lifted = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--image", image, "--json", "--max-image-pixels", "0");
        Assert.Equal(0, lifted.ExitCode);
        var negative = CliRun.Run("predict", "--model", CliRun.Fixture("detr_tiny_hf.onnx"), "--image", image, "--max-image-pixels", "-5");
        Assert.Equal(1, negative.ExitCode);
        Assert.Contains("--max-image-pixels", negative.Error);
    }

    [Fact]
    public void HelpExplainsEveryOption()
    {
        var result = CliRun.Run("predict", "--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--model", "--image", "--folder", "--threshold", "--max-detections", "--json", "--out", "--max-image-pixels", "--fail-fast" })
            Assert.Contains(option, result.Output);
    }
}
