namespace Detr.MLNet.Evaluation;

/// <summary>
/// Sum of doubles in the order numpy adds them for a contiguous 1-D array, so means such as the summary's
/// <c>np.mean(s[s &gt; -1])</c> agree to the last bit: the ufunc reduction walks the array in buffer-sized blocks of
/// 8192, accumulated left to right, and sums each block pairwise (8-way unrolled up to 128 elements, halved above).
/// </summary>
internal static class NumpySum
{
    private const int BufferSize = 8192;
    private const int UnrolledLimit = 128;

    /// <summary>numpy's <c>np.sum</c> of the values.</summary>
    public static double Sum(ReadOnlySpan<double> values)
    {
        double total = 0;
        for (int start = 0; start < values.Length; start += BufferSize)
        {
            total += Pairwise(values.Slice(start, Math.Min(BufferSize, values.Length - start)));
        }

        return total;
    }

    private static double Pairwise(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n < 8)
        {
            double sum = 0;
            foreach (double value in values)
            {
                sum += value;
            }

            return sum;
        }

        if (n <= UnrolledLimit)
        {
            Span<double> lanes = stackalloc double[8];
            values[..8].CopyTo(lanes);
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (int lane = 0; lane < 8; lane++)
                {
                    lanes[lane] += values[i + lane];
                }
            }

            double result = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
            for (; i < n; i++)
            {
                result += values[i];
            }

            return result;
        }

        int half = n / 2;
        half -= half % 8;
        return Pairwise(values[..half]) + Pairwise(values[half..]);
    }
}
