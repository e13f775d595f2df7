namespace Detr.Training.Export.Quantization;

/// <summary>
/// The range [Min, Max] an activation is quantized over, chosen from what <see cref="ActivationHistogram"/> saw by one
/// of the <see cref="DetrCalibrationMethod"/>s. Ranges never reach past the values seen.
/// </summary>
static class CalibrationRanges
{
    /// <summary>Bins the entropy search works on (the |x| histogram is merged down to at most this many).</summary>
    public const int EntropyBins = 2048;

    /// <summary>The range of <paramref name="values"/> by <paramref name="method"/>; <paramref name="percentile"/> is in percent.</summary>
    public static (float Min, float Max) Choose(ActivationHistogram values, DetrCalibrationMethod method, double percentile) => method switch
    {
        DetrCalibrationMethod.MinMax => (values.Min, values.Max),
        DetrCalibrationMethod.Percentile => Percentile(values, percentile),
        DetrCalibrationMethod.Entropy => Entropy(values),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>
    /// Both tails cut at <paramref name="percentile"/> %: the lower end is the left edge of the first bin where more
    /// than (100 − p) % of the values lie at or below it, the upper end the right edge of the first bin where at least
    /// p % do; both kept within the values seen.
    /// </summary>
    public static (float Min, float Max) Percentile(ActivationHistogram values, double percentile)
    {
        if (!(percentile > 50 && percentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(percentile), $"The percentile must be above 50 and at most 100 (got {percentile}).");
        var counts = values.Counts;
        double low = values.Count * (1 - percentile / 100);
        double high = values.Count * (percentile / 100);
        int lowBin = -1, highBin = counts.Length - 1;
        long cumulative = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            cumulative += counts[i];
            if (lowBin < 0 && cumulative > low)
                lowBin = i;
            if (cumulative >= high)
            {
                highBin = i;
                break;
            }
        }
        float min = (float)((values.FirstBin + Math.Max(lowBin, 0)) * values.Width);
        float max = (float)((values.FirstBin + highBin + 1) * values.Width);
        return (Math.Clamp(min, values.Min, values.Max), Math.Clamp(max, values.Min, values.Max));
    }

    /// <summary>
    /// The threshold T on |x| whose clipped histogram P (bins past T added to the last one) differs least, in KL
    /// divergence, from its quantized version Q (P's bins merged into as many groups as there are levels, each group's
    /// count spread evenly over its non-empty bins); the range is [−T, T] within the values seen. Levels: 256 for an
    /// activation that was never negative (all levels on one side), else 128 per side.
    /// </summary>
    public static (float Min, float Max) Entropy(ActivationHistogram values)
    {
        int levels = values.Min >= 0 ? 256 : 128;
        var (absolute, width) = AbsoluteHistogram(values);
        int bins = absolute.Length;
        while (bins > 0 && absolute[bins - 1] == 0)
            bins--;
        if (bins <= levels)
            return (values.Min, values.Max);
        int best = Threshold(absolute.AsSpan(0, bins), levels);
        float threshold = (float)(best * width);
        return (Math.Max(values.Min, -threshold), Math.Min(values.Max, threshold));
    }

    /// <summary>
    /// The bin count i (levels ≤ i ≤ bins) of the best threshold on a histogram of |x| whose bin j holds [j·w, (j+1)·w):
    /// the threshold is i·w. Candidates are the TensorRT/MXNet search's, with its smoothing of empty bins (ε = 1e-4).
    /// </summary>
    public static int Threshold(ReadOnlySpan<long> histogram, int levels)
    {
        int bins = histogram.Length;
        if (bins <= levels)
            return bins;
        double total = 0;
        foreach (long c in histogram)
            total += c;
        var p = new double[bins];
        var q = new double[bins];
        double bestDivergence = double.PositiveInfinity;
        int best = bins;
        double outliers = total;
        for (int i = 0; i < levels - 1; i++)
            outliers -= histogram[i];
        for (int i = levels; i <= bins; i++)
        {
            outliers -= histogram[i - 1];
            // P: the first i bins with everything beyond added to the last.
            for (int j = 0; j < i; j++)
                p[j] = histogram[j];
            p[i - 1] += outliers;
            // Q: the first i bins (unclipped) merged into `levels` groups, each spread over its non-empty bins of P.
            int merged = i / levels;
            for (int g = 0; g < levels; g++)
            {
                int start = g * merged;
                int stop = g == levels - 1 ? i : start + merged;
                double sum = 0;
                int nonEmpty = 0;
                for (int j = start; j < stop; j++)
                {
                    sum += histogram[j];
                    if (p[j] != 0)
                        nonEmpty++;
                }
                for (int j = start; j < stop; j++)
                    q[j] = p[j] == 0 || nonEmpty == 0 ? 0 : sum / nonEmpty;
            }
            double divergence = Divergence(p.AsSpan(0, i), q.AsSpan(0, i));
            if (divergence < bestDivergence)
            {
                bestDivergence = divergence;
                best = i;
            }
        }
        return best;
    }

    /// <summary>
    /// KL(P‖Q) of two histograms after the reference search's smoothing: each empty bin takes ε = 1e-4 and the non-empty
    /// ones give it up evenly (ε · empty / non-empty each), then both are normalised. ∞ when Q is empty where P is not.
    /// </summary>
    public static double Divergence(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        var ps = Smoothed(p);
        var qs = Smoothed(q);
        if (ps is null || qs is null)
            return double.PositiveInfinity;
        double pSum = ps.Sum(), qSum = qs.Sum();
        double divergence = 0;
        for (int j = 0; j < ps.Length; j++)
        {
            double pj = ps[j] / pSum, qj = qs[j] / qSum;
            if (pj == 0)
                continue;
            if (qj <= 0)
                return double.PositiveInfinity;
            divergence += pj * Math.Log(pj / qj);
        }
        return divergence;
    }

    static double[]? Smoothed(ReadOnlySpan<double> histogram)
    {
        const double eps = 1e-4;
        int empty = 0;
        foreach (double v in histogram)
            if (v == 0)
                empty++;
        int nonEmpty = histogram.Length - empty;
        if (nonEmpty == 0)
            return null;
        double taken = eps * empty / nonEmpty;
        var result = new double[histogram.Length];
        for (int j = 0; j < histogram.Length; j++)
            result[j] = histogram[j] == 0 ? eps : histogram[j] - taken;
        return result;
    }

    // The histogram of |x| folded from the signed one (bin k ≥ 0 stays, bin k < 0 holds −x in (−(k+1)w, −kw], bin −k−1
    // of |x|), then merged by a whole factor down to at most EntropyBins bins.
    static (long[] Counts, double Width) AbsoluteHistogram(ActivationHistogram values)
    {
        var counts = values.Counts;
        long first = values.FirstBin;
        long last = first + counts.Length - 1;
        long size = Math.Max(last + 1, -first);
        var folded = new long[Math.Max(size, 1)];
        for (int i = 0; i < counts.Length; i++)
        {
            long k = first + i;
            folded[k >= 0 ? k : -k - 1] += counts[i];
        }
        // Exact zeros (half of a ReLU's outputs) say nothing about where to clip; kept, their spike in the first bin
        // makes every candidate's divergence small there and the search clip far too much on small calibration sets.
        folded[0] -= values.Zeros;
        int factor = (int)((folded.Length + EntropyBins - 1) / EntropyBins);
        if (factor <= 1)
            return (folded, values.Width);
        var merged = new long[(folded.Length + factor - 1) / factor];
        for (int i = 0; i < folded.Length; i++)
            merged[i / factor] += folded[i];
        return (merged, values.Width * factor);
    }
}
