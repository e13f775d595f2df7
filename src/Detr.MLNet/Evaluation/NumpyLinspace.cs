namespace Detr.MLNet.Evaluation;

/// <summary>
/// Evenly spaced values computed exactly as <c>numpy.linspace(start, stop, count)</c> does, because the IoU
/// thresholds are compared with <c>==</c> (the summary looks up 0.5 and 0.75) and the recall thresholds are
/// compared with recall values: a last-bit difference would change results.
/// </summary>
internal static class NumpyLinspace
{
    /// <summary>Values <c>i * step + start</c> with <c>step = (stop - start) / (count - 1)</c>, the last one forced to <paramref name="stop"/>.</summary>
    public static double[] Create(double start, double stop, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var values = new double[count];
        if (count == 0)
        {
            return values;
        }

        int divisions = count - 1;
        double step = divisions > 0 ? (stop - start) / divisions : stop - start;
        for (int i = 0; i < count; i++)
        {
            // numpy multiplies the index by the step first and adds the start afterwards; keep that order.
            values[i] = i * step + start;
        }

        if (count > 1)
        {
            values[^1] = stop;
        }

        return values;
    }
}
