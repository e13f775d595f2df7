using Detr.MLNet.Evaluation;

namespace Detr.MLNet.Tests.Evaluation;

/// <summary>Hand-worked COCO cases; the expected numbers are derived in the comments.</summary>
public class CocoEvaluatorTests
{
    static CocoGroundTruthBox Gt(int image, int category, double x, double y, double w, double h, bool crowd = false) =>
        new(image, category, x, y, w, h, w * h, crowd);

    static CocoDetection Dt(int image, int category, double x, double y, double w, double h, double score) =>
        new(image, category, x, y, w, h, score);

    static readonly CocoEvaluator Evaluator = new();

    [Fact]
    public void PerfectDetectionsScoreOneAndEmptyAreaRangesAreMinusOne()
    {
        // One small (20x20 = 400 < 32²) object found exactly: every precision and recall point is 1.
        // (Precision is tp / (tp + fp + np.spacing(1)) as in pycocotools, so "1" is 1 − 2.2e-16.)
        var m = Evaluator.Evaluate([Gt(1, 1, 10, 10, 20, 20)], [Dt(1, 1, 10, 10, 20, 20, 0.9)]);
        double[] expected = [1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1];
        for (int i = 0; i < 12; i++)
            Assert.Equal(expected[i], m.Stats[i], 12);
    }

    [Fact]
    public void FalsePositiveRankedFirstHalvesPrecision()
    {
        // Sorted: FP (0.9) then TP (0.8). Recall [0, 1], precision [0, 0.5] → made monotone [0.5, 0.5];
        // every recall point reads 0.5, so AP = 0.5 at every IoU. With one detection per image only the FP counts: AR1 = 0.
        var m = Evaluator.Evaluate([Gt(1, 1, 100, 100, 40, 40)], [Dt(1, 1, 300, 300, 40, 40, 0.9), Dt(1, 1, 100, 100, 40, 40, 0.8)]);
        Assert.Equal(0.5, m.AP, 12);
        Assert.Equal(0.5, m.AP50, 12);
        Assert.Equal(0.5, m.APMedium, 12);
        Assert.Equal(-1, m.APSmall);
        Assert.Equal(0, m.AR1);
        Assert.Equal(1, m.AR10);
    }

    [Fact]
    public void DetectionsOnCrowdRegionsAreIgnoredNotFalsePositives()
    {
        // The 20x20 detection lies inside the crowd box: IoU = intersection / detection area = 1, so it matches the crowd
        // and is ignored. The other detection is exact: AP = 1 (it would be 0.5 if the first counted as a false positive).
        var m = Evaluator.Evaluate([Gt(1, 1, 0, 0, 100, 100, crowd: true), Gt(1, 1, 200, 200, 40, 40)],
            [Dt(1, 1, 10, 10, 20, 20, 0.9), Dt(1, 1, 200, 200, 40, 40, 0.8)]);
        Assert.Equal(1, m.AP, 12);
        Assert.Equal(1, m.AR100, 12);
        // The crowd box is large but ignored, so there are no large positives: −1.
        Assert.Equal(-1, m.APLarge);
    }

    [Fact]
    public void MaxDetectionsCutsRecall()
    {
        // Two objects, two exact detections: one detection per image recalls half.
        var m = Evaluator.Evaluate([Gt(1, 1, 0, 0, 40, 40), Gt(1, 1, 100, 100, 40, 40)],
            [Dt(1, 1, 0, 0, 40, 40, 0.9), Dt(1, 1, 100, 100, 40, 40, 0.8)]);
        Assert.Equal(0.5, m.AR1, 12);
        Assert.Equal(1, m.AR10, 12);
        Assert.Equal(1, m.AP, 12);
    }

    [Fact]
    public void CategoryWithoutGroundTruthIsMinusOneAndLeftOutOfTheMean()
    {
        var m = Evaluator.Evaluate([Gt(1, 1, 0, 0, 40, 40)], [Dt(1, 1, 0, 0, 40, 40, 0.9), Dt(1, 2, 50, 50, 40, 40, 0.95)],
            categoryIds: [1, 2]);
        Assert.Equal(1, m.AP, 12);
        Assert.Equal(1, m.PerCategoryAP[1], 12);
        Assert.Equal(-1, m.PerCategoryAP[2]);
    }

    [Fact]
    public void ImageWithoutDetectionsCapsRecall()
    {
        // Two objects on two images, only the first found. Recall [0.5], precision [1]: the 51 recall points up to 0.5
        // read 1, the 50 above find no detection and read 0 → AP = 51/101. AR100 = 0.5.
        var m = Evaluator.Evaluate([Gt(1, 1, 0, 0, 40, 40), Gt(2, 1, 0, 0, 40, 40)], [Dt(1, 1, 0, 0, 40, 40, 0.9)]);
        Assert.Equal(51.0 / 101, m.AP, 12);
        Assert.Equal(0.5, m.AR100, 12);
    }

    [Fact]
    public void DetectionOnAnImageWithoutGroundTruthIsAFalsePositive()
    {
        // Image 2 has no objects; its 0.9 detection ranks first: the same 0.5 as a false positive on image 1.
        var m = Evaluator.Evaluate([Gt(1, 1, 0, 0, 40, 40)], [Dt(2, 1, 0, 0, 40, 40, 0.9), Dt(1, 1, 0, 0, 40, 40, 0.5)], imageIds: [1, 2]);
        Assert.Equal(0.5, m.AP, 12);
    }

    [Fact]
    public void TiesKeepInputOrderAsNumpysMergesort()
    {
        var gt = new[] { Gt(1, 1, 0, 0, 40, 40) };
        var falseFirst = Evaluator.Evaluate(gt, [Dt(1, 1, 300, 300, 40, 40, 0.8), Dt(1, 1, 0, 0, 40, 40, 0.8)]);
        var trueFirst = Evaluator.Evaluate(gt, [Dt(1, 1, 0, 0, 40, 40, 0.8), Dt(1, 1, 300, 300, 40, 40, 0.8)]);
        Assert.Equal(0.5, falseFirst.AP, 12);
        Assert.Equal(1, trueFirst.AP, 12);
    }

    [Fact]
    public void IouThresholdsAreNumpysLinspace()
    {
        // Values printed by numpy 1.24: linspace(.5, .95, 10)[8] is 0.8999999999999999, linspace(0, 1, 101)[57] 0.5700000000000001.
        var options = new CocoEvaluationOptions();
        Assert.Equal(0.7, options.IouThresholds[4]);
        Assert.Equal(0.8999999999999999, options.IouThresholds[8]);
        Assert.Equal(0.95, options.IouThresholds[9]);
        Assert.Equal(0.5700000000000001, options.RecallThresholds[57]);
        Assert.Equal(0.29, options.RecallThresholds[29]);
    }

    [Fact]
    public void LooseBoxCountsOnlyAtLowThresholds()
    {
        // Detection [0,0,40,30] on truth [0,0,40,40]: IoU = 1200/1600 = 0.75, a hit for thresholds 0.5..0.75 (6 of 10).
        var m = Evaluator.Evaluate([Gt(1, 1, 0, 0, 40, 40)], [Dt(1, 1, 0, 0, 40, 30, 0.9)]);
        Assert.Equal(0.6, m.AP, 12);
        Assert.Equal(1, m.AP75, 12);
    }

    [Fact]
    public void FilesGiveTheSameAsObjectsAndUnknownImagesAreRefused()
    {
        using var folder = new TempFolder();
        string gt = Path.Combine(folder.Path, "gt.json"), dt = Path.Combine(folder.Path, "dt.json");
        File.WriteAllText(gt, """
            {"images": [{"id": 1, "file_name": "a.png", "width": 500, "height": 500}, {"id": 2, "file_name": "b.png", "width": 500, "height": 500}],
             "categories": [{"id": 1, "name": "a"}, {"id": 5, "name": "b"}],
             "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [100, 100, 40, 40], "area": 1600, "iscrowd": 0}]}
            """);
        File.WriteAllText(dt, """[{"image_id": 2, "category_id": 1, "bbox": [300, 300, 40, 40], "score": 0.9}, {"image_id": 1, "category_id": 1, "bbox": [100, 100, 40, 40], "score": 0.8}]""");
        var fromFiles = Evaluator.EvaluateFiles(gt, dt);
        Assert.Equal(0.5, fromFiles.AP, 12);
        Assert.Equal(-1, fromFiles.PerCategoryAP[5]);
        File.WriteAllText(dt, """[{"image_id": 9, "category_id": 1, "bbox": [0, 0, 4, 4], "score": 0.9}]""");
        Assert.Contains("image id 9", Assert.Throws<ArgumentException>(() => Evaluator.EvaluateFiles(gt, dt)).Message);
    }

    [Fact]
    public void SummaryTextHasTwelveLines()
    {
        var m = Evaluator.Evaluate([Gt(1, 1, 10, 10, 20, 20)], [Dt(1, 1, 10, 10, 20, 20, 0.9)]);
        Assert.Equal(12, m.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(CocoMetrics.StatNames, m.ToNamedStats().Keys);
    }
}
