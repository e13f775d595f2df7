using Detr.MLNet.Evaluation;

namespace Detr.MLNet.Tests.Evaluation;

public sealed class CocoEvaluatorDeterminismTests
{
    /// <summary>A few hundred images, 12 categories, noisy detections with many tied scores and some crowds.</summary>
    private static (List<CocoGroundTruthBox> Gt, List<CocoDetection> Dt) RandomCase(int seed)
    {
        var random = new Random(seed);
        var gt = new List<CocoGroundTruthBox>();
        var dt = new List<CocoDetection>();
        for (int image = 1; image <= 300; image++)
        {
            int boxes = random.Next(0, 6);
            for (int j = 0; j < boxes; j++)
            {
                int category = random.Next(1, 13);
                double x = random.Next(0, 300), y = random.Next(0, 300), w = random.Next(4, 150), h = random.Next(4, 150);
                gt.Add(new CocoGroundTruthBox(image, category, x, y, w, h, w * h * 0.9, random.NextDouble() < 0.05));
                for (int k = random.Next(0, 3); k > 0; k--)
                {
                    dt.Add(new CocoDetection(image, category, x + random.Next(-8, 9), y + random.Next(-8, 9), w, h, random.Next(0, 20) / 20.0));
                }
            }

            for (int k = random.Next(0, 12); k > 0; k--)
            {
                dt.Add(new CocoDetection(image, random.Next(1, 13), random.Next(0, 300), random.Next(0, 300), random.Next(4, 150), random.Next(4, 150), random.Next(0, 20) / 20.0));
            }
        }

        return (gt, dt);
    }

    [Fact]
    public void ResultsDoNotDependOnThreading()
    {
        var (gt, dt) = RandomCase(seed: 3);

        CocoMetrics parallel = new CocoEvaluator().Evaluate(gt, dt);
        CocoMetrics sequential = new CocoEvaluator(new CocoEvaluationOptions { MaxDegreeOfParallelism = 1 }).Evaluate(gt, dt);

        Assert.True(parallel.AP > 0 && parallel.AP < 1, $"AP {parallel.AP} should be informative");
        Assert.Equal(sequential.Stats, parallel.Stats);
        Assert.True(sequential.Precision.AsSpan().SequenceEqual(parallel.Precision.AsSpan()));
        Assert.True(sequential.Recall.AsSpan().SequenceEqual(parallel.Recall.AsSpan()));
        Assert.True(sequential.Scores.AsSpan().SequenceEqual(parallel.Scores.AsSpan()));
        Assert.Equal(sequential.PerCategoryAP, parallel.PerCategoryAP);
    }

    [Fact]
    public void DetectionOrderAcrossImagesDoesNotMatter()
    {
        // Only the order of detections within one (image, category) can break ties; moving whole images around in
        // the input must not change anything.
        var (gt, dt) = RandomCase(seed: 5);
        var shuffledByImage = dt.OrderBy(d => (d.ImageId * 7919) % 301).ToList();

        CocoMetrics original = new CocoEvaluator().Evaluate(gt, dt);
        CocoMetrics shuffled = new CocoEvaluator().Evaluate(gt, shuffledByImage);

        Assert.True(original.Precision.AsSpan().SequenceEqual(shuffled.Precision.AsSpan()));
        Assert.Equal(original.Stats, shuffled.Stats);
    }

    [Fact]
    public void PerCategoryApAveragesThatCategorysPrecision()
    {
        var (gt, dt) = RandomCase(seed: 9);

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);

        int k = 4;
        var values = new List<double>();
        for (int t = 0; t < 10; t++)
        {
            for (int r = 0; r < 101; r++)
            {
                values.Add(metrics.Precision[t, r, k, 0, 2]);
            }
        }

        Assert.Equal(values.Where(v => v > -1).Average(), metrics.PerCategoryAP[metrics.CategoryIds[k]], 1e-12);
        Assert.Equal(metrics.CategoryIds.Count, metrics.PerCategoryAP.Count);
    }
}
