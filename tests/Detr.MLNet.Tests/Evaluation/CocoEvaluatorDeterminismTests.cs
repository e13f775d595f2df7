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
        AssertSameArrays(sequential, parallel);
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

    [Fact]
    public void IdsSpreadOverTheWholeIntRangeGiveTheSameArrays()
    {
        // Dense ids are looked up in a table over their range, widely spread ones in a dictionary; the order of the
        // ids (not their values) is all that matters, so a monotone remapping changes nothing.
        var (gt, dt) = RandomCase(seed: 11);
        static int Spread(int id) => checked((id - 150) * 7_000_003);
        var spreadGt = gt.Select(b => b with { ImageId = Spread(b.ImageId), CategoryId = b.CategoryId * 100_000_000 - 700_000_000 }).ToList();
        var spreadDt = dt.Select(d => d with { ImageId = Spread(d.ImageId), CategoryId = d.CategoryId * 100_000_000 - 700_000_000 }).ToList();

        CocoMetrics dense = new CocoEvaluator().Evaluate(gt, dt, Enumerable.Range(1, 300).ToArray(), Enumerable.Range(1, 12).ToArray());
        CocoMetrics spread = new CocoEvaluator().Evaluate(
            spreadGt, spreadDt, Enumerable.Range(1, 300).Select(Spread).ToArray(), Enumerable.Range(1, 12).Select(c => c * 100_000_000 - 700_000_000).ToArray());

        AssertSameArrays(dense, spread);
    }

    [Fact]
    public void ReadOnlyWrappersAndArraysGiveTheSameResult()
    {
        // Arrays and lists are read in place, other lists are copied first: all must agree.
        var (gt, dt) = RandomCase(seed: 13);

        CocoMetrics lists = new CocoEvaluator().Evaluate(gt, dt);
        CocoMetrics arrays = new CocoEvaluator().Evaluate(gt.ToArray(), dt.ToArray());
        CocoMetrics wrapped = new CocoEvaluator().Evaluate(gt.AsReadOnly(), dt.AsReadOnly());

        AssertSameArrays(lists, arrays);
        AssertSameArrays(lists, wrapped);
    }

    private static void AssertSameArrays(CocoMetrics expected, CocoMetrics actual)
    {
        Assert.Equal(expected.Stats, actual.Stats);
        Assert.True(expected.Precision.AsSpan().SequenceEqual(actual.Precision.AsSpan()));
        Assert.True(expected.Recall.AsSpan().SequenceEqual(actual.Recall.AsSpan()));
        Assert.True(expected.Scores.AsSpan().SequenceEqual(actual.Scores.AsSpan()));
    }
}
