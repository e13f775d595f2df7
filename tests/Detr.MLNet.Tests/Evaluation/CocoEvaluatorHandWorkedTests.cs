using Detr.MLNet.Evaluation;

namespace Detr.MLNet.Tests.Evaluation;

/// <summary>
/// Small cases whose numbers are worked out by hand from pycocotools' definitions (each test's comment shows the
/// working). Boxes that coincide exactly have IoU 1, so every IoU threshold behaves alike unless a comment says
/// otherwise, and AP is then the 101-point average at any one threshold.
/// </summary>
public sealed class CocoEvaluatorHandWorkedTests
{
    /// <summary>
    /// A lone true positive's precision: tp / (fp + tp + np.spacing(1)) = 1 / (1 + 2⁻⁵²) = 0.9999999999999998.
    /// It becomes exactly 1 only when a later rank has 2/(2 + 2⁻⁵²) = 1 (the 2⁻⁵² is lost in rounding there).
    /// </summary>
    private const double LoneHit = 1.0 / (1.0 + 2.220446049250313e-16);

    private const double Tolerance = 1e-12;

    private static CocoGroundTruthBox Gt(int image, double x, double y, double w, double h, double? area = null, bool crowd = false, int category = 1) =>
        new(image, category, x, y, w, h, area ?? w * h, crowd);

    private static CocoDetection Dt(int image, double x, double y, double w, double h, double score, int category = 1) =>
        new(image, category, x, y, w, h, score);

    [Fact]
    public void PerfectDetectionsScoreOne()
    {
        // One box per image: small (400), medium (2500), large (10000), each found exactly.
        // all: three TPs, precision [1/(1+ε), 2/(2+ε), 3/(3+ε)] = [0.99…98, 1, 1], made monotone from the right → 1
        // everywhere, recall reaches 1 → AP = 1 exactly. Per area only one box counts; the other two detections are
        // matched to ignored (out-of-range) boxes and ignored, so precision is the lone-hit value 0.99…98.
        var gt = new[] { Gt(1, 10, 10, 20, 20), Gt(2, 0, 0, 50, 50), Gt(3, 0, 0, 100, 100) };
        var dt = new[] { Dt(1, 10, 10, 20, 20, 0.9), Dt(2, 0, 0, 50, 50, 0.8), Dt(3, 0, 0, 100, 100, 0.7) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        Assert.Equal(1.0, metrics.AP);
        Assert.Equal(1.0, metrics.AP50);
        Assert.Equal(1.0, metrics.AP75);
        Assert.Equal(LoneHit, metrics.APSmall, Tolerance);
        Assert.Equal(LoneHit, metrics.APMedium, Tolerance);
        Assert.Equal(LoneHit, metrics.APLarge, Tolerance);
        Assert.All(metrics.Stats.Skip(6), recall => Assert.Equal(1.0, recall));
        Assert.Equal(1.0, metrics.PerCategoryAP[1]);
    }

    [Fact]
    public void FalsePositiveBetweenTwoHitsGivesInterpolatedAp()
    {
        // Two medium boxes; ranking TP (0.9), FP (0.8), TP (0.7).
        // tp = [1,1,2], fp = [0,1,1], recall = [0.5, 0.5, 1], precision = [1/(1+ε), 1/2, 2/3].
        // Monotone from the right: [0.99…98, 2/3, 2/3]. Recall thresholds 0.00…0.50 (51 of them) find index 0,
        // 0.51…1.00 (50) find index 2. AP = (51·0.99…98 + 50·2/3) / 101 = 84.333…/101 = 0.834983498349835.
        // AR1 keeps only the top detection (one hit of two) = 0.5; AR10 = 1. No small/large boxes → -1.
        var gt = new[] { Gt(1, 0, 0, 40, 40), Gt(1, 100, 100, 40, 40) };
        var dt = new[] { Dt(1, 0, 0, 40, 40, 0.9), Dt(1, 200, 200, 40, 40, 0.8), Dt(1, 100, 100, 40, 40, 0.7) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        double expected = (51 * LoneHit + 50 * (2.0 / 3.0)) / 101;
        Assert.Equal(0.834983498349835, expected, Tolerance);
        Assert.Equal(expected, metrics.AP, Tolerance);
        Assert.Equal(expected, metrics.AP50, Tolerance);
        Assert.Equal(expected, metrics.AP75, Tolerance);
        Assert.Equal(expected, metrics.APMedium, Tolerance);
        Assert.Equal(-1.0, metrics.APSmall);
        Assert.Equal(-1.0, metrics.APLarge);
        Assert.Equal(0.5, metrics.AR1);
        Assert.Equal(1.0, metrics.AR10);
        Assert.Equal(1.0, metrics.AR100);
        Assert.Equal(-1.0, metrics.ARSmall);
    }

    [Fact]
    public void FalsePositiveRankedFirstHalvesPrecision()
    {
        // FP (0.9) then TP (0.8), one box: recall [0, 1], precision [0, 1/(2+ε)] = [0, 0.5] (2+ε rounds to 2).
        // Monotone: [0.5, 0.5]; threshold 0 finds index 0, the rest index 1 → AP = 0.5 exactly. AR1 = 0 (top is the FP).
        var gt = new[] { Gt(1, 0, 0, 40, 40) };
        var dt = new[] { Dt(1, 200, 200, 40, 40, 0.9), Dt(1, 0, 0, 40, 40, 0.8) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        Assert.Equal(0.5, metrics.AP);
        Assert.Equal(0.0, metrics.AR1);
        Assert.Equal(1.0, metrics.AR10);
    }

    [Fact]
    public void DetectionsOnCrowdAreIgnoredNotFalsePositives()
    {
        // Box A [0,0,40,40] and a crowd region C [100,0,100,100]. Detections, best first:
        //   d1 0.95 [180,0,40,40]: half inside C. Crowd IoU = intersection / detection area = 800/1600 = 0.5.
        //   d2 0.90 [150,0,50,40]: wholly inside C → crowd IoU 1.
        //   d3 0.85 on A exactly.
        // C is never a positive, so there is one positive. At IoU 0.5, d1 and d2 both match C (a crowd may take any
        // number of detections) and are ignored: ranking IG, IG, TP → precision 0.99…98 everywhere.
        // At 0.55…0.95 d1 no longer matches and is a FP: FP, IG, TP → precision [0, 0, 0.5] → 0.5 everywhere.
        // AP = (0.99…98 + 9·0.5)/10 = 0.55; AP50 = 0.99…98; AP75 = 0.5; AR100 = 1 (C does not count in recall).
        // AR1: the top detection d1 is ignored or a FP → 0.
        var gt = new[] { Gt(1, 0, 0, 40, 40), Gt(1, 100, 0, 100, 100, area: 5000, crowd: true) };
        var dt = new[] { Dt(1, 180, 0, 40, 40, 0.95), Dt(1, 150, 0, 50, 40, 0.9), Dt(1, 0, 0, 40, 40, 0.85) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        Assert.Equal(0.55, metrics.AP, Tolerance);
        Assert.Equal(LoneHit, metrics.AP50, Tolerance);
        Assert.Equal(0.5, metrics.AP75);
        Assert.Equal(1.0, metrics.AR100);
        Assert.Equal(0.0, metrics.AR1);
    }

    [Fact]
    public void AreaRangesSplitByAnnotatedAreaAndIgnoreOutOfRangeDetections()
    {
        // Boxes: small [0,0,20,20] (400), medium [100,0,50,50] (2500), large [200,0,100,100] (10000).
        // Detections: F 0.95 [400,400,10,10] (area 100, hits nothing), S 0.90 on small, L 0.80 on large; medium missed.
        // all:    F, S, L = FP, TP, TP: recall [0, 1/3, 2/3], precision [0, 1/2, 2/3] → monotone 2/3 for the 67
        //         thresholds 0.00…0.66 (≤ 2/3), 0 above → AP = 67·(2/3)/101 = 0.44224422442244227.
        // small:  L matches the large box, ignored here → FP, TP, IG: precision [0, .5, .5] → APs = 0.5, ARs = 1.
        // medium: F is unmatched and outside [32², 96²] → ignored; S and L match ignored boxes → all ignored: APm = 0, ARm = 0.
        // large:  IG, IG, TP → precision 0.99…98 everywhere → APl = 0.99…98, ARl = 1.
        // AR1 = 0 (top detection F), AR10 = AR100 = 2/3.
        var gt = new[] { Gt(1, 0, 0, 20, 20), Gt(1, 100, 0, 50, 50), Gt(1, 200, 0, 100, 100) };
        var dt = new[] { Dt(1, 400, 400, 10, 10, 0.95), Dt(1, 0, 0, 20, 20, 0.9), Dt(1, 200, 0, 100, 100, 0.8) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        Assert.Equal(67 * (2.0 / 3.0) / 101, metrics.AP, Tolerance);
        Assert.Equal(0.5, metrics.APSmall);
        Assert.Equal(0.0, metrics.APMedium);
        Assert.Equal(LoneHit, metrics.APLarge, Tolerance);
        Assert.Equal(0.0, metrics.AR1);
        Assert.Equal(2.0 / 3.0, metrics.AR10, Tolerance);
        Assert.Equal(2.0 / 3.0, metrics.AR100, Tolerance);
        Assert.Equal(1.0, metrics.ARSmall);
        Assert.Equal(0.0, metrics.ARMedium);
        Assert.Equal(1.0, metrics.ARLarge);

        // Ignored detections keep their rank: for "large" the sample at recall 0 is read at rank 0, the ignored F.
        Assert.Equal(0.95, metrics.Scores[0, 0, 0, 3, 2]);
        Assert.Equal(0.8, metrics.Scores[0, 1, 0, 3, 2]);
    }

    [Fact]
    public void AnnotatedAreaNotBoxAreaDecidesTheRange()
    {
        // A 40×40 box (1600 px, medium by w·h) annotated with area 900 (a thin segmentation) is small.
        var gt = new[] { Gt(1, 0, 0, 40, 40, area: 900) };
        var dt = new[] { Dt(1, 0, 0, 40, 40, 0.9) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        Assert.Equal(LoneHit, metrics.APSmall, Tolerance);
        Assert.Equal(-1.0, metrics.APMedium);
    }

    [Fact]
    public void MaxDetectionsCapsEachImage()
    {
        // Image 1: two boxes found at 0.9 and 0.6; image 2: one box found at 0.8.
        // maxDets 1 keeps 0.9 (image 1) and 0.8 (image 2): recall 2/3 → AR1 = 2/3; 10 keeps all → AR10 = 1.
        // Precision at cap 1: ranks 0.9, 0.8 → [1/(1+ε), 2/(2+ε) = 1] → 1 up to recall 0.66, 0 from 0.67.
        var gt = new[] { Gt(1, 0, 0, 40, 40), Gt(1, 100, 0, 40, 40), Gt(2, 0, 0, 40, 40) };
        var dt = new[] { Dt(1, 0, 0, 40, 40, 0.9), Dt(1, 100, 0, 40, 40, 0.6), Dt(2, 0, 0, 40, 40, 0.8) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        Assert.Equal(2.0 / 3.0, metrics.AR1, Tolerance);
        Assert.Equal(1.0, metrics.AR10);
        Assert.Equal(1.0, metrics.AP);
        Assert.Equal(2.0 / 3.0, metrics.Recall[0, 0, 0, 0], Tolerance);
        Assert.Equal(1.0, metrics.Precision[0, 66, 0, 0, 0]);
        Assert.Equal(0.0, metrics.Precision[0, 67, 0, 0, 0]);
        Assert.Equal([10, 101, 1, 4, 3], metrics.Precision.Dimensions);
    }

    [Fact]
    public void CategoryWithoutGroundTruthIsMinusOneAndLeftOutOfTheMean()
    {
        // Category 2 is listed but has no box; its one detection (0.99) can be neither right nor wrong: all its
        // precision and recall stay -1 and the means skip it. Category 1 has a lone hit → AP = 0.99…98.
        var gt = new[] { Gt(1, 0, 0, 40, 40) };
        var dt = new[] { Dt(1, 0, 0, 40, 40, 0.99, category: 2), Dt(1, 0, 0, 40, 40, 0.9) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt, categoryIds: [1, 2]);

        Assert.Equal([1, 2], metrics.CategoryIds);
        Assert.Equal(-1.0, metrics.PerCategoryAP[2]);
        Assert.Equal(LoneHit, metrics.PerCategoryAP[1], Tolerance);
        Assert.Equal(LoneHit, metrics.AP, Tolerance);
        Assert.Equal(1.0, metrics.AR100);
        Assert.Equal(-1.0, metrics.Precision[0, 0, 1, 0, 2]);
        Assert.Equal(-1.0, metrics.Recall[0, 1, 0, 2]);
    }

    [Fact]
    public void ImageWithoutDetectionsLowersRecall()
    {
        // Two images with a box each; only image 1's is found. recall [0.5], precision [1/(1+ε)]:
        // thresholds 0.00…0.50 (51) → 0.99…98, the other 50 → 0. AP = 51·0.99…98/101 = 0.5049504950495048; AR = 0.5.
        var gt = new[] { Gt(1, 0, 0, 40, 40), Gt(2, 0, 0, 40, 40) };
        var dt = new[] { Dt(1, 0, 0, 40, 40, 0.9) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        Assert.Equal(51 * LoneHit / 101, metrics.AP, Tolerance);
        Assert.Equal(0.5, metrics.AR100);
    }

    [Fact]
    public void DetectionOnImageWithoutGroundTruthIsFalsePositive()
    {
        // Image 2 has no box; its 0.9 detection outranks the 0.8 hit on image 1: FP, TP → AP = 0.5 (as above).
        var gt = new[] { Gt(1, 0, 0, 40, 40) };
        var dt = new[] { Dt(2, 0, 0, 40, 40, 0.9), Dt(1, 0, 0, 40, 40, 0.8) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt, imageIds: [1, 2]);

        Assert.Equal(0.5, metrics.AP);
        Assert.Equal(1.0, metrics.AR1); // one detection per image is allowed, so the hit on image 1 survives
    }

    [Fact]
    public void DetectionOnUnlistedImageIsRejectedWithItsId()
    {
        var gt = new[] { Gt(1, 0, 0, 40, 40) };
        var dt = new[] { Dt(1, 0, 0, 40, 40, 0.8), Dt(3, 0, 0, 40, 40, 0.9) };

        var error = Assert.Throws<ArgumentException>(() => new CocoEvaluator().Evaluate(gt, dt, imageIds: [1, 2]));

        Assert.Contains("image id 3", error.Message);
    }

    [Theory]
    // Equal scores in one image keep input order: FP listed first ranks first → AP 0.5; TP first → 0.99…98.
    [InlineData(true, 0.5)]
    [InlineData(false, LoneHit)]
    public void TiedScoresInOneImageKeepInputOrder(bool falsePositiveListedFirst, double expectedAp)
    {
        var gt = new[] { Gt(1, 0, 0, 40, 40) };
        var hit = Dt(1, 0, 0, 40, 40, 0.5);
        var miss = Dt(1, 200, 200, 40, 40, 0.5);
        var dt = falsePositiveListedFirst ? new[] { miss, hit } : new[] { hit, miss };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        Assert.Equal(expectedAp, metrics.AP, Tolerance);
    }

    [Theory]
    // Equal scores on different images rank by ascending image id, whatever the input order (pycocotools
    // concatenates images in sorted id order before its stable sort). The hit is on image 2 → FP on 1 first → 0.5;
    // the hit on image 1 → it ranks first → 0.99…98.
    [InlineData(2, 0.5)]
    [InlineData(1, LoneHit)]
    public void TiedScoresAcrossImagesRankByImageId(int imageWithBox, double expectedAp)
    {
        var gt = new[] { Gt(imageWithBox, 0, 0, 40, 40) };
        var dt = new[] { Dt(2, 0, 0, 40, 40, 0.5), Dt(1, 0, 0, 40, 40, 0.5) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        Assert.Equal(expectedAp, metrics.AP, Tolerance);
    }

    [Fact]
    public void PooledCategoriesIgnoreLabels()
    {
        // The detection has the wrong label: a miss per category (AP 0 for category 1, -1 for category 2, which has
        // no box), but a lone hit when categories are pooled.
        var gt = new[] { Gt(1, 0, 0, 40, 40) };
        var dt = new[] { Dt(1, 0, 0, 40, 40, 0.9, category: 2) };

        CocoMetrics perCategory = new CocoEvaluator().Evaluate(gt, dt, categoryIds: [1, 2]);
        CocoMetrics pooled = new CocoEvaluator(new CocoEvaluationOptions { UseCategories = false }).Evaluate(gt, dt, categoryIds: [1, 2]);

        Assert.Equal(0.0, perCategory.AP);
        Assert.Equal(LoneHit, pooled.AP, Tolerance);
        Assert.Equal([-1], pooled.CategoryIds);
    }
}
