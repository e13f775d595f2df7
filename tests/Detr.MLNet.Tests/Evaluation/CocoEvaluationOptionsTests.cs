using Detr.MLNet.Evaluation;

namespace Detr.MLNet.Tests.Evaluation;

public sealed class CocoEvaluationOptionsTests
{
    [Fact]
    public void ThresholdsAreNumpyLinspaceValues()
    {
        // numpy computes i·step + start with step = (0.95 − 0.5)/9 = 0.049999999999999996, then sets the last value
        // to stop. Index 8 is therefore 0.8999999999999999, not 0.9; 0.5 and 0.75 come out exact, which matters
        // because the summary looks them up with ==.
        var options = CocoEvaluationOptions.Default;

        Assert.Equal(10, options.IouThresholds.Count);
        Assert.Equal(0.5, options.IouThresholds[0]);
        Assert.Equal(0.7, options.IouThresholds[4]);
        Assert.Equal(0.75, options.IouThresholds[5]);
        Assert.Equal(0.8999999999999999, options.IouThresholds[8]);
        Assert.Equal(0.95, options.IouThresholds[9]);
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(i * ((0.95 - 0.5) / 9) + 0.5, options.IouThresholds[i]);
        }

        Assert.Equal(101, options.RecallThresholds.Count);
        Assert.Equal(0.5, options.RecallThresholds[50]);
        Assert.Equal(1.0, options.RecallThresholds[100]);
        Assert.Equal(3 * 0.01, options.RecallThresholds[3]);

        Assert.Equal([1, 10, 100], options.MaxDetections);
        Assert.Equal(
            [new CocoAreaRange("all", 0, 1e10), new CocoAreaRange("small", 0, 1024), new CocoAreaRange("medium", 1024, 9216), new CocoAreaRange("large", 9216, 1e10)],
            options.AreaRanges);
        Assert.True(options.UseCategories);
    }

    [Fact]
    public void AreaRangeBoundsAreInclusive()
    {
        var medium = new CocoAreaRange("medium", 1024, 9216);

        Assert.False(medium.Excludes(1024));
        Assert.False(medium.Excludes(9216));
        Assert.True(medium.Excludes(1023.9));
        Assert.True(medium.Excludes(9216.1));
    }

    [Fact]
    public void SummaryTextMatchesPycocotoolsLayout()
    {
        var gt = new[] { new CocoGroundTruthBox(1, 1, 0, 0, 40, 40, 1600, false) };
        var dt = new[] { new CocoDetection(1, 1, 200, 200, 40, 40, 0.9), new CocoDetection(1, 1, 0, 0, 40, 40, 0.8) };

        CocoMetrics metrics = new CocoEvaluator().Evaluate(gt, dt);
        string[] lines = metrics.ToString().Split(Environment.NewLine);

        Assert.Equal(12, lines.Length);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.500", lines[0]);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 0.500", lines[2]);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000", lines[3]);
        Assert.Equal(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.000", lines[6]);
        Assert.Equal(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 1.000", lines[10]);

        IReadOnlyDictionary<string, double> named = metrics.ToNamedStats();
        Assert.Equal(["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"], named.Keys);
        Assert.Equal(metrics.Stats, named.Values);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new CocoEvaluator(new CocoEvaluationOptions { MaxDetections = [] }));
        Assert.Throws<ArgumentException>(() => new CocoEvaluator(new CocoEvaluationOptions { IouThresholds = [] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CocoEvaluator(new CocoEvaluationOptions { MaxDegreeOfParallelism = 0 }));
    }
}
