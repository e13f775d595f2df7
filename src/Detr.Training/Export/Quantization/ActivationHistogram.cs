namespace Detr.Training.Export.Quantization;

/// <summary>
/// The values one activation took over the calibration images: smallest, largest, count, and (when asked) a histogram
/// whose bins are aligned on multiples of one width, bin k holding [k·w, (k+1)·w). The first values set the width
/// (about 2,048 bins across their range); later values outside the covered bins add bins, and when there would be
/// more than <see cref="MaxBins"/> the width doubles and neighbouring bins merge. Because bins stay aligned, merging
/// images is exact: no counts are re-spread, and the result does not depend on the order the values came in apart from
/// the width the first ones chose.
/// </summary>
sealed class ActivationHistogram(bool keepHistogram)
{
    /// <summary>Bins the first values are spread over.</summary>
    public const int InitialBins = 2048;

    /// <summary>Most bins kept before the width doubles.</summary>
    public const int MaxBins = 1 << 16;

    long[] _counts = [];
    long _firstBin;
    double _width;

    /// <summary>Smallest finite value seen (+∞ before any).</summary>
    public float Min { get; private set; } = float.PositiveInfinity;

    /// <summary>Largest finite value seen (−∞ before any).</summary>
    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>Finite values seen.</summary>
    public long Count { get; private set; }

    /// <summary>Finite values that were exactly 0 (a ReLU's floor, padding), counted in their bin too.</summary>
    public long Zeros { get; private set; }

    /// <summary>Values seen that were NaN or infinite (left out of everything else).</summary>
    public long NonFinite { get; private set; }

    /// <summary>Bin width (0 before any value, or without a histogram).</summary>
    public double Width => _width;

    /// <summary>Index k of the first bin, which holds [k·w, (k+1)·w).</summary>
    public long FirstBin => _firstBin;

    /// <summary>Counts of the bins from <see cref="FirstBin"/> on.</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Adds values.</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        long finite = 0;
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
                continue;
            finite++;
            if (v < min)
                min = v;
            if (v > max)
                max = v;
        }
        NonFinite += values.Length - finite;
        if (finite == 0)
            return;
        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
        Count += finite;
        if (!keepHistogram)
            return;
        if (_width == 0)
        {
            double span = Math.Max((double)max - min, Math.Max(Math.Abs((double)min), Math.Abs((double)max)) * 1e-3);
            _width = Math.Max(span, 1e-30) / InitialBins;
            _firstBin = Bin(min);
            _counts = new long[Bin(max) - _firstBin + 1];
        }
        Cover(Bin(min), Bin(max));
        double inverse = 1.0 / _width;
        var counts = _counts;
        long first = _firstBin, zeros = 0;
        foreach (float v in values)
            if (float.IsFinite(v))
            {
                counts[(long)Math.Floor(v * inverse) - first]++;
                if (v == 0)
                    zeros++;
            }
        Zeros += zeros;
    }

    long Bin(float v) => (long)Math.Floor(v * (1.0 / _width));

    // Grows the bins to cover [low, high], doubling the width while that would take more than MaxBins.
    void Cover(long low, long high)
    {
        long first = Math.Min(_firstBin, low);
        long last = Math.Max(_firstBin + _counts.Length - 1, high);
        while (last - first + 1 > MaxBins)
        {
            Coarsen();
            first = FloorHalf(first);
            last = FloorHalf(last);
        }
        if (first == _firstBin && last == _firstBin + _counts.Length - 1)
            return;
        var grown = new long[last - first + 1];
        _counts.CopyTo(grown.AsSpan((int)(_firstBin - first)));
        _counts = grown;
        _firstBin = first;
    }

    // Width × 2: bin k of the new width holds old bins 2k and 2k + 1.
    void Coarsen()
    {
        long first = FloorHalf(_firstBin);
        long last = FloorHalf(_firstBin + _counts.Length - 1);
        var merged = new long[last - first + 1];
        for (int i = 0; i < _counts.Length; i++)
            merged[FloorHalf(_firstBin + i) - first] += _counts[i];
        _counts = merged;
        _firstBin = first;
        _width *= 2;
    }

    static long FloorHalf(long k) => k >= 0 ? k / 2 : -((-k + 1) / 2);
}
