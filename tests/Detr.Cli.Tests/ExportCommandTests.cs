using Detr.MLNet.Data.Synthetic;

namespace Detr.Cli.Tests;

public class ExportCommandTests
{
    [Fact]
    public void TruncatedCheckpointGivesOneLineNamingTheFile()
    {
        using var folder = new TempFolder();
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "model", "detr_r18_tiny.pth"));
        string checkpoint = Path.Combine(folder.Path, "truncated.pth");
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);
        var result = CliRun.Run("export", "--checkpoint", checkpoint, "--nheads", "4", "--out", Path.Combine(folder.Path, "model.onnx"));
        Assert.Equal(DetrCommandLine.BadInput, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("truncated.pth", line);
        Assert.Contains("truncated or damaged", line);
        Assert.False(File.Exists(Path.Combine(folder.Path, "model.onnx")));
    }

    static string Checkpoint => Path.Combine(AppContext.BaseDirectory, "fixtures", "model", "detr_r18_tiny.pth");

    [Fact]
    public void Int8ExportCalibratesOnAFolderAndInspectSaysItIsQuantized()
    {
        using var folder = new TempFolder();
        SyntheticShapesDataset.Write(folder.Path, new SyntheticShapesOptions { ImageCount = 4, ValidationFraction = 0.25, Width = 80, Height = 64 });
        string model = Path.Combine(folder.Path, "int8.onnx");
        var result = CliRun.Run("export", "--checkpoint", Checkpoint, "--nheads", "4", "--out", model, "--quantize", "int8",
            "--calibration", Path.Combine(folder.Path, "images"), "--calibration-images", "3", "--shortest-edge", "64", "--longest-edge", "96");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("int8", result.Output);
        Assert.Contains("calibrating on 3 images", result.Error);
        var inspect = CliRun.Run("inspect", model);
        Assert.Equal(0, inspect.ExitCode);
        Assert.Contains("int8 (qdq", inspect.Output);
        Assert.Contains("Backbone, InputProjection", inspect.Output);
        Assert.Contains("short side 64", inspect.Output);
    }

    [Fact]
    public void Float16ExportIsShownByInspect()
    {
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "fp16.onnx");
        var result = CliRun.Run("export", "--checkpoint", Checkpoint, "--nheads", "4", "--out", model, "--precision", "fp16");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("float16", CliRun.Run("inspect", model).Output);
    }

    [Fact]
    public void BadCalibrationInputIsAnErrorNamingIt()
    {
        using var folder = new TempFolder();
        string empty = Path.Combine(folder.Path, "empty");
        Directory.CreateDirectory(empty);
        string model = Path.Combine(folder.Path, "int8.onnx");
        var noImages = CliRun.Run("export", "--checkpoint", Checkpoint, "--nheads", "4", "--out", model, "--quantize", "int8", "--calibration", empty);
        Assert.Equal(DetrCommandLine.BadInput, noImages.ExitCode);
        Assert.Contains(empty, noImages.Error);
        Assert.Contains("no images", noImages.Error);
        Assert.False(File.Exists(model));

        var missing = CliRun.Run("export", "--checkpoint", Checkpoint, "--nheads", "4", "--out", model, "--quantize", "int8");
        Assert.Equal(DetrCommandLine.BadInput, missing.ExitCode);
        Assert.Contains("--calibration", missing.Error);

        var part = CliRun.Run("export", "--checkpoint", Checkpoint, "--nheads", "4", "--out", model, "--quantize", "int8", "--calibration", empty,
            "--quantize-parts", "backbone,neck");
        Assert.Equal(DetrCommandLine.BadInput, part.ExitCode);
        Assert.Contains("neck", part.Error);
        Assert.False(File.Exists(model));
    }
}
