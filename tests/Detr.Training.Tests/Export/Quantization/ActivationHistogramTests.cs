using Detr.Training.Export.Quantization;

namespace Detr.Training.Tests.Export.Quantization;

/// <summary>The calibration histogram: aligned bins merge images exactly, and growing or coarsening loses no value.</summary>
public class ActivationHistogramTests
{
    [Fact]
    public void KeepsMinMaxAndCountAndSkipsNonFiniteValues()
    {
        var h = new ActivationHistogram(keepHistogram: false);
        h.Add([1f, -3f, float.NaN, 2f, float.PositiveInfinity]);
        h.Add([5f]);
        Assert.Equal((-3f, 5f, 4L, 2L), (h.Min, h.Max, h.Count, h.NonFinite));
        Assert.Equal(0, h.Counts.Length);
    }

    [Fact]
    public void FirstValuesSetTheWidthAndLaterOnesAddAlignedBins()
    {
        var h = new ActivationHistogram(keepHistogram: true);
        h.Add([0f, 2.048f]);
        Assert.Equal(0.001, h.Width, 9);
        Assert.Equal(0, h.FirstBin);
        // Values beyond the first range add bins on either side without moving the old counts.
        h.Add([-0.0015f, 3f, 1.0005f]);
        Assert.Equal(-2, h.FirstBin);
        Assert.Equal(5L, Sum(h.Counts));
        Assert.Equal(1L, h.Counts[0]); // -0.0015 in [-0.002, -0.001)
        Assert.Equal(1L, h.Counts[(int)(1000 - h.FirstBin)]); // 1.0005 in [1.000, 1.001)
        Assert.Equal(1L, h.Counts[^1]); // 3, alone in the last bin
    }

    [Fact]
    public void MergingImagesEqualsSeeingThemAtOnce()
    {
        var random = new Random(3);
        var first = Enumerable.Range(0, 5000).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var second = Enumerable.Range(0, 5000).Select(_ => (float)(random.NextDouble() * 0.5)).ToArray();
        var split = new ActivationHistogram(true);
        split.Add(first);
        split.Add(second);
        var together = new ActivationHistogram(true);
        together.Add([.. first, .. second]);
        Assert.Equal(together.Width, split.Width);
        Assert.Equal(together.FirstBin, split.FirstBin);
        Assert.Equal(together.Counts.ToArray(), split.Counts.ToArray());
    }

    [Fact]
    public void AFarValueCoarsensTheBinsWithoutLosingCounts()
    {
        var h = new ActivationHistogram(true);
        h.Add(Enumerable.Range(0, 2049).Select(i => i / 1000f).ToArray());
        h.Add([1000f, -500f]);
        Assert.True(h.Counts.Length <= ActivationHistogram.MaxBins, $"{h.Counts.Length} bins");
        Assert.True(h.Width >= 1500.0 / ActivationHistogram.MaxBins, $"width {h.Width}");
        Assert.Equal(2051L, Sum(h.Counts));
        Assert.Equal(1L, h.Counts[0]); // -500 alone in the first bin
        Assert.Equal(1L, h.Counts[^1]); // 1000 alone in the last
    }

    static long Sum(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (long c in counts)
            total += c;
        return total;
    }
}
