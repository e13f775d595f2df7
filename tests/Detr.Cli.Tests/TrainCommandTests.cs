using Detr.MLNet.Data.Synthetic;

namespace Detr.Cli.Tests;

/// <summary><c>detr train</c> picks a recipe from what it is given, says which and why, and lets flags override it.</summary>
public class TrainCommandTests
{
    static SyntheticShapesSummary Data(string folder) => SyntheticShapesDataset.Write(folder, new SyntheticShapesOptions
    {
        ImageCount = 9, ValidationFraction = 1.0 / 9, Width = 64, Height = 64, MinObjects = 1, MaxObjects = 2, MinSize = 0.3, MaxSize = 0.6, Seed = 5,
    });

    [Fact]
    public void FromRandomWeightsItTrainsTheFromScratchDeformableRecipe()
    {
        using var folder = new TempFolder();
        var data = Data(Path.Combine(folder.Path, "data"));
        string output = Path.Combine(folder.Path, "out");
        var result = CliRun.Run("train", "--data", data.TrainAnnotations, "--images", data.Folder, "--epochs", "1", "--out", output);
        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains("recipe   from-scratch: no pretrained weights given", result.Output);
        Assert.Contains("Deformable DETR, ResNet-18", result.Output);
        Assert.Contains("8 images, 3 classes, median short side 64 px", result.Output);
        Assert.True(File.Exists(Path.Combine(output, "model.onnx")));
        var inspect = CliRun.Run("inspect", Path.Combine(output, "model.onnx"));
        Assert.True(inspect.ExitCode == 0, inspect.Error);
        Assert.Contains("sigmoid", inspect.Output);
    }

    [Fact]
    public void ANamedRecipeAndFlagsOverrideTheChoice()
    {
        using var folder = new TempFolder();
        var data = Data(Path.Combine(folder.Path, "data"));
        var result = CliRun.Run("train", "--data", data.TrainAnnotations, "--images", data.Folder, "--recipe", "detr-from-scratch",
            "--epochs", "1", "--queries", "7", "--image-size", "64", "--out", Path.Combine(folder.Path, "out"));
        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains("recipe   detr-from-scratch:", result.Output);
        Assert.Contains("DETR, ResNet-18 (stem 16, DC5), 2+2 layers 64 wide, 7 queries", result.Output);
        Assert.Contains("64 px", result.Output);
    }

    [Fact]
    public void DeformableOptionsOnDetrAreRefusedWithTheFix()
    {
        using var folder = new TempFolder();
        var data = Data(Path.Combine(folder.Path, "data"));
        var result = CliRun.Run("train", "--data", data.TrainAnnotations, "--images", data.Folder, "--architecture", "detr", "--box-refine", "true",
            "--out", Path.Combine(folder.Path, "out"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--architecture deformable", result.Error);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("0")]
    public void ATimeFractionOutsideZeroToOneIsRefused(string fraction)
    {
        using var folder = new TempFolder();
        var data = Data(Path.Combine(folder.Path, "data"));
        var result = CliRun.Run("train", "--data", data.TrainAnnotations, "--images", data.Folder, "--time-limit", "1", "--lr-drop-at", fraction,
            "--out", Path.Combine(folder.Path, "out"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"--lr-drop-at must lie between 0 and 1 (a fraction of --time-limit); got {fraction}", result.Error);
        Assert.False(File.Exists(Path.Combine(folder.Path, "out", "model.onnx")));
    }

    [Theory]
    [InlineData("--scale-jitter", "1.25,0.8", "--scale-jitter takes MIN,MAX with 0 < MIN <= MAX <= 4")]
    [InlineData("--scale-jitter", "0.8", "--scale-jitter takes MIN,MAX")]
    [InlineData("--color-jitter", "1.5", "--color-jitter must lie in [0, 1)")]
    [InlineData("--mosaic", "2", "--mosaic must lie in [0, 1]")]
    public void AugmentationValuesOutOfRangeAreRefused(string flag, string value, string message)
    {
        using var folder = new TempFolder();
        var data = Data(Path.Combine(folder.Path, "data"));
        var result = CliRun.Run("train", "--data", data.TrainAnnotations, "--images", data.Folder, "--epochs", "1", flag, value,
            "--out", Path.Combine(folder.Path, "out"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.False(File.Exists(Path.Combine(folder.Path, "out", "model.onnx")));
    }
}
