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
}
