using System.Text.Json;
using Detr.Training.Export.Quantization;

namespace Detr.Training.Tests.Export.Quantization;

/// <summary>Min-max, percentile and entropy ranges against known numbers and the numpy reference search.</summary>
public class CalibrationRangesTests
{
    [Fact]
    public void MinMaxIsWhatWasSeen()
    {
        var h = Histogram([-2f, 0.5f, 7f]);
        Assert.Equal((-2f, 7f), CalibrationRanges.Choose(h, DetrCalibrationMethod.MinMax, 99.99));
    }

    [Fact]
    public void PercentileCutsBothTails()
    {
        // 0.000, 0.001, …, 20.479: 2,048 bins of about 0.01 (the first width is the range / 2048), ~10 values each.
        var values = Enumerable.Range(0, 20480).Select(i => i / 1000f).ToArray();
        var h = Histogram(values);
        Assert.Equal(0.01, h.Width, 4);
        // 99 % of 20,480 values = 20,275.2 are reached at 20.275, in the bin ending at 20.28; 1 % = 204.8 are passed at
        // 0.205, in the bin starting at 0.20.
        var (min, max) = CalibrationRanges.Percentile(h, 99);
        Assert.Equal(0.20f, min, 0.002f);
        Assert.Equal(20.28f, max, 0.002f);
        // 100 % keeps everything (within what was seen).
        Assert.Equal((0f, 20.479f), CalibrationRanges.Percentile(h, 100));
        // One far outlier among many: 99.99 % leaves it out, min-max does not.
        var outlier = Histogram([.. Enumerable.Range(0, 100000).Select(i => (i % 1000) / 1000f), 500f]);
        Assert.True(CalibrationRanges.Percentile(outlier, 99.99).Max < 2f);
        Assert.Throws<ArgumentOutOfRangeException>(() => CalibrationRanges.Percentile(h, 40));
    }

    public static TheoryData<string> EntropyCases() => new() { "gaussian_outliers", "half_laplace", "two_bumps" };

    [Theory]
    [MemberData(nameof(EntropyCases))]
    public void EntropyThresholdMatchesTheNumpyReference(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "quantization", "entropy_cases.json")));
        var c = document.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        long[] histogram = c.GetProperty("histogram").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        int levels = c.GetProperty("levels").GetInt32();
        Assert.Equal(c.GetProperty("best_bins").GetInt32(), CalibrationRanges.Threshold(histogram, levels));
    }

    [Fact]
    public void DivergenceMatchesTheReferenceSmoothing()
    {
        // p = (1, 0, 3), q = (2, 2, 0): eps 1e-4 to each empty bin, taken evenly from the others.
        double expected = KlOfSmoothed([1 - 0.00005, 0.0001, 3 - 0.00005], [2 - 0.00005, 2 - 0.00005, 0.0001]);
        Assert.Equal(expected, CalibrationRanges.Divergence([1, 0, 3], [2, 2, 0]), 12);
        Assert.Equal(0, CalibrationRanges.Divergence([1, 2, 3], [2, 4, 6]), 12);
    }

    [Fact]
    public void EntropyClipsALongTailButNotABoundedDistribution()
    {
        var random = new Random(5);
        // Uniform on [0, 1]: nothing to gain by clipping, the threshold stays near the top.
        var uniform = Histogram(Enumerable.Range(0, 100000).Select(_ => (float)random.NextDouble()).ToArray());
        Assert.True(CalibrationRanges.Entropy(uniform).Max > 0.9f);
        // Normal(0, 1) with rare values at ±40: the range is far inside them, and symmetric.
        var tailed = Histogram([.. Enumerable.Range(0, 200000).Select(_ => Normal(random)), 40f, -40f]);
        var (min, max) = CalibrationRanges.Entropy(tailed);
        Assert.InRange(max, 2f, 20f);
        Assert.Equal(-max, min);
    }

    [Fact]
    public void EntropyLeavesOutExactZeros()
    {
        // A ReLU's output over few pixels (a small calibration set's last stage): half exact zeros, half exponential,
        // 4,096 values over 2,048 bins. Counted, the zeros' spike pulls the threshold down to half the largest value or
        // less (the numpy reference search on such data: 1.9 of 7.8); left out, it stays near the top (6.4 of 7.8).
        var random = new Random(6);
        var relu = Histogram(Enumerable.Range(0, 4096).Select(i => i % 2 == 0 ? 0f : (float)-Math.Log(1 - random.NextDouble())).ToArray());
        Assert.Equal(2048, relu.Zeros);
        var (min, max) = CalibrationRanges.Entropy(relu);
        Assert.Equal(0f, min);
        Assert.True(max > 0.6f * relu.Max, $"clipped at {max} of {relu.Max}");
    }

    static float Normal(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    static double KlOfSmoothed(double[] p, double[] q)
    {
        double ps = p.Sum(), qs = q.Sum();
        return p.Zip(q, (a, b) => a / ps * Math.Log(a / ps / (b / qs))).Sum();
    }

    static ActivationHistogram Histogram(float[] values)
    {
        var h = new ActivationHistogram(keepHistogram: true);
        h.Add(values);
        return h;
    }
}
