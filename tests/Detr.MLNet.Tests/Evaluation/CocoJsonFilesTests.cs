using Detr.MLNet.Evaluation;

namespace Detr.MLNet.Tests.Evaluation;

public sealed class CocoJsonFilesTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "detr-coco-eval-" + Guid.NewGuid().ToString("N"));

    public CocoJsonFilesTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string json)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>
    /// Image 3 has no annotations and category 9 has none either; annotation 2 has no area (→ 20·20 = 400, small)
    /// and annotation 4 is a crowd. The results repeat the area-split case of the hand-worked tests plus a
    /// detection wholly inside the crowd, which must be ignored.
    /// </summary>
    private const string GroundTruthJson = """
        {
          "info": {"description": "test"},
          "images": [{"id": 1, "file_name": "a.jpg"}, {"id": 2}, {"id": 3}],
          "annotations": [
            {"id": 1, "image_id": 1, "category_id": 5, "bbox": [100, 0, 50, 50], "area": 2500, "iscrowd": 0},
            {"id": 2, "image_id": 1, "category_id": 5, "bbox": [0, 0, 20, 20], "iscrowd": 0},
            {"id": 3, "image_id": 1, "category_id": 5, "bbox": [200, 0, 100, 100], "area": 10000},
            {"id": 4, "image_id": 2, "category_id": 5, "bbox": [0, 0, 300, 300], "area": 60000, "iscrowd": 1}
          ],
          "categories": [{"id": 9, "name": "unused"}, {"id": 5, "name": "thing"}]
        }
        """;

    private const string ResultsJson = """
        [
          {"image_id": 1, "category_id": 5, "bbox": [400, 400, 10, 10], "score": 0.95, "area": 123456},
          {"image_id": 1, "category_id": 5, "bbox": [0, 0, 20, 20], "score": 0.9},
          {"image_id": 1, "category_id": 5, "bbox": [200.0, 0.0, 100.0, 100.0], "score": 0.8},
          {"image_id": 2, "category_id": 5, "bbox": [10, 10, 50, 50], "score": 0.99}
        ]
        """;

    [Fact]
    public void FilesGiveTheSameNumbersAsTheInMemoryEvaluation()
    {
        string gtPath = Write("gt.json", GroundTruthJson);
        string resultsPath = Write("results.json", ResultsJson);

        CocoMetrics fromFiles = new CocoEvaluator().EvaluateFiles(gtPath, resultsPath);

        var gt = new[]
        {
            new CocoGroundTruthBox(1, 5, 100, 0, 50, 50, 2500, false),
            new CocoGroundTruthBox(1, 5, 0, 0, 20, 20, 400, false),
            new CocoGroundTruthBox(1, 5, 200, 0, 100, 100, 10000, false),
            new CocoGroundTruthBox(2, 5, 0, 0, 300, 300, 60000, true),
        };
        var dt = new[]
        {
            new CocoDetection(1, 5, 400, 400, 10, 10, 0.95),
            new CocoDetection(1, 5, 0, 0, 20, 20, 0.9),
            new CocoDetection(1, 5, 200, 0, 100, 100, 0.8),
            new CocoDetection(2, 5, 10, 10, 50, 50, 0.99),
        };
        CocoMetrics inMemory = new CocoEvaluator().Evaluate(gt, dt, imageIds: [1, 2, 3], categoryIds: [5, 9]);

        Assert.Equal(inMemory.Stats, fromFiles.Stats);
        Assert.True(inMemory.Precision.AsSpan().SequenceEqual(fromFiles.Precision.AsSpan()));
        Assert.Equal([1, 2, 3], fromFiles.ImageIds);
        Assert.Equal([5, 9], fromFiles.CategoryIds);

        // Same numbers as the hand-worked area split: the 0.99 detection inside the crowd is ignored everywhere
        // (for "all" it matches the crowd; elsewhere it also matches it, or is out of range), so it changes nothing.
        Assert.Equal(67 * (2.0 / 3.0) / 101, fromFiles.AP, 1e-12);
        Assert.Equal(0.5, fromFiles.APSmall);
        Assert.Equal(0.0, fromFiles.APMedium);
        Assert.Equal(2.0 / 3.0, fromFiles.AR100, 1e-12);
        Assert.Equal(-1.0, fromFiles.PerCategoryAP[9]);
    }

    [Fact]
    public void ReaderAppliesPycocotoolsDefaults()
    {
        CocoGroundTruthFile file = CocoJsonFiles.ReadGroundTruth(Write("gt.json", GroundTruthJson));
        IReadOnlyList<CocoDetection> results = CocoJsonFiles.ReadResults(Write("results.json", ResultsJson));

        Assert.Equal([1, 2, 3], file.ImageIds);
        Assert.Equal([9, 5], file.CategoryIds);
        Assert.Equal(4, file.Boxes.Count);
        Assert.Equal(400, file.Boxes[1].Area); // no area → w·h
        Assert.False(file.Boxes[2].IsCrowd); // no iscrowd → 0
        Assert.True(file.Boxes[3].IsCrowd);
        Assert.Equal(100, results[0].Area); // a result's own "area" is replaced by w·h
        Assert.Equal(0.99, results[3].Score);
    }

    [Fact]
    public void MalformedJsonNamesFileAndPosition()
    {
        string path = Write("broken.json", "{\n  \"images\": [{\"id\": 1},\n    ]\n}");

        var error = Assert.Throws<InvalidDataException>(() => CocoJsonFiles.ReadGroundTruth(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public void AnnotationWithoutBboxNamesFileIndexAndId()
    {
        string path = Write("gt.json", """
            {"images": [{"id": 1}],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]},
                             {"id": 7, "image_id": 1, "category_id": 1}],
             "categories": [{"id": 1}]}
            """);

        var error = Assert.Throws<InvalidDataException>(() => CocoJsonFiles.ReadGroundTruth(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("annotation 1 (id 7)", error.Message);
        Assert.Contains("'bbox'", error.Message);
    }

    [Fact]
    public void GroundTruthWithoutImagesIsRejected()
    {
        string path = Write("gt.json", """{"annotations": [], "categories": []}""");

        var error = Assert.Throws<InvalidDataException>(() => CocoJsonFiles.ReadGroundTruth(path));

        Assert.Contains("'images'", error.Message);
    }

    [Fact]
    public void ResultsMustBeAnArrayOfCompleteResults()
    {
        string notArray = Write("object.json", """{"image_id": 1}""");
        string noScore = Write("noscore.json", """[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}]""");
        string badBox = Write("badbox.json", """[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1], "score": 1}]""");

        Assert.Contains(notArray, Assert.Throws<InvalidDataException>(() => CocoJsonFiles.ReadResults(notArray)).Message);
        var missing = Assert.Throws<InvalidDataException>(() => CocoJsonFiles.ReadResults(noScore));
        Assert.Contains("result 0", missing.Message);
        Assert.Contains("'score'", missing.Message);
        Assert.Contains("[x, y, width, height]", Assert.Throws<InvalidDataException>(() => CocoJsonFiles.ReadResults(badBox)).Message);
    }

    [Fact]
    public void ResultOnImageOutsideTheGroundTruthIsRejected()
    {
        string gtPath = Write("gt.json", GroundTruthJson);
        string resultsPath = Write("results.json", """[{"image_id": 42, "category_id": 5, "bbox": [0, 0, 1, 1], "score": 0.5}]""");

        var error = Assert.Throws<ArgumentException>(() => new CocoEvaluator().EvaluateFiles(gtPath, resultsPath));

        Assert.Contains("image_id 42", error.Message);
        Assert.Contains(resultsPath, error.Message);
    }

    [Fact]
    public void AnnotationWithIdZeroBehavesAsInPycocotools()
    {
        // pycocotools records a match as the ground truth's annotation id and reads 0 as "no match", so the exact
        // hit on annotation 0 is a false positive there, and the box stays taken (never recalled).
        string gtPath = Write("gt.json", """
            {"images": [{"id": 1}],
             "annotations": [{"id": 0, "image_id": 1, "category_id": 1, "bbox": [0, 0, 40, 40], "area": 1600, "iscrowd": 0}],
             "categories": [{"id": 1}]}
            """);
        string resultsPath = Write("results.json", """[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 40, 40], "score": 0.9}]""");

        CocoMetrics metrics = new CocoEvaluator().EvaluateFiles(gtPath, resultsPath);

        Assert.Equal(0.0, metrics.AP);
        Assert.Equal(0.0, metrics.AR100);
    }

    [Fact]
    public void EvaluateFilesHandsBackTheGroundTruthItRead()
    {
        string gtPath = Write("gt.json", GroundTruthJson);
        string resultsPath = Write("results.json", ResultsJson);

        CocoMetrics metrics = new CocoEvaluator().EvaluateFiles(gtPath, resultsPath, out CocoGroundTruthFile groundTruth);

        Assert.Equal(new CocoEvaluator().EvaluateFiles(gtPath, resultsPath).Stats, metrics.Stats);
        Assert.Equal("thing", groundTruth.CategoryNames[5]);
        Assert.Equal([1, 2, 3], groundTruth.ImageIds);
        Assert.Equal(4, groundTruth.Boxes.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(null)]
    public void WhenBothFilesAreBadTheGroundTruthsErrorIsTheOneReported(int? threads)
    {
        // The files are read at the same time on several cores; the error must still be the first in reading order.
        string badGt = Write("gt.json", """{"images": [{"id": 1}], "annotations": [{"id": 3, "image_id": 1}]}""");
        string badResults = Write("results.json", """[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}]""");
        var evaluator = new CocoEvaluator(new CocoEvaluationOptions { MaxDegreeOfParallelism = threads });

        var both = Assert.Throws<InvalidDataException>(() => evaluator.EvaluateFiles(badGt, badResults));
        var resultsOnly = Assert.Throws<InvalidDataException>(() => evaluator.EvaluateFiles(Write("good.json", GroundTruthJson), badResults));
        var groundTruthOnly = Assert.Throws<InvalidDataException>(() => evaluator.EvaluateFiles(badGt, Write("good-results.json", ResultsJson)));

        Assert.Contains(badGt, both.Message);
        Assert.Contains("annotation 0 (id 3)", both.Message);
        Assert.Contains(badResults, resultsOnly.Message);
        Assert.Contains("'score'", resultsOnly.Message);
        Assert.Contains(badGt, groundTruthOnly.Message);
    }

    [Fact]
    public void MissingResultsFileIsReportedAsSuch()
    {
        string missing = Path.Combine(_folder, "absent.json");

        var error = Assert.Throws<FileNotFoundException>(() => new CocoEvaluator().EvaluateFiles(Write("gt.json", GroundTruthJson), missing));

        Assert.Contains(missing, error.Message);
    }
}
