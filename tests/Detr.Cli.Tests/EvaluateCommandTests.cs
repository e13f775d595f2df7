namespace Detr.Cli.Tests;

public class EvaluateCommandTests
{
    // What pycocotools evaluates: ids and boxes only, no file names or sizes, no images on disk.
    const string GroundTruth = """
        {"images": [{"id": 1}, {"id": 2}],
         "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 30, 30], "area": 900, "iscrowd": 0}],
         "categories": [{"id": 1, "name": "circle"}, {"id": 2, "name": "square"}]}
        """;

    static CliRun.Result EvaluateFiles(string resultsJson)
    {
        using var folder = new TempFolder();
        string gt = Path.Combine(folder.Path, "gt.json"), dt = Path.Combine(folder.Path, "dt.json");
        File.WriteAllText(gt, GroundTruth);
        File.WriteAllText(dt, resultsJson);
        return CliRun.Run("evaluate", "--gt", gt, "--dt", dt);
    }

    [Fact]
    public void FilesNeedOnlyWhatEvaluationReadsAndTablesNameTheClasses()
    {
        var result = EvaluateFiles("""[{"image_id": 1, "category_id": 1, "bbox": [10, 10, 30, 30], "score": 0.9}]""");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("circle", result.Output);
        Assert.Contains("square", result.Output);
    }

    [Fact]
    public void MalformedResultsNameTheFileAndEntry()
    {
        var result = EvaluateFiles("""[{"image_id": 1, "category_id": 1, "bbox": [10, 10, 30], "score": 0.9}]""");

        Assert.Equal(DetrCommandLine.BadInput, result.ExitCode);
        Assert.Contains("dt.json", result.Error);
        Assert.Contains("result 0 needs a 4-number 'bbox'", result.Error);
    }
}
