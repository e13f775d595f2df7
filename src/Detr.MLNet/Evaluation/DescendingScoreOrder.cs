namespace Detr.MLNet.Evaluation;

/// <summary>
/// Highest score first, equal scores in their original order. pycocotools sorts with
/// <c>np.argsort(-scores, kind='mergesort')</c>, a stable sort; ranking ties by position gives the same order with
/// any sort algorithm, so results never depend on how .NET sorts. NaN scores go last, as numpy puts NaN last, and
/// -0 ties with +0, as they compare equal there.
/// </summary>
internal static class DescendingScoreOrder
{
    /// <summary>
    /// An unsigned key that orders as the score does, highest first: the IEEE bits made monotone (sign bit flipped for
    /// positives, all bits for negatives) and inverted, with -0 read as +0 and every NaN the largest key.
    /// </summary>
    public static ulong Key(double score)
    {
        if (double.IsNaN(score))
        {
            return ulong.MaxValue;
        }

        ulong bits = (ulong)BitConverter.DoubleToInt64Bits(score == 0 ? 0.0 : score);
        ulong ascending = (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
        return ~ascending;
    }

    /// <summary>
    /// Sorts <paramref name="positions"/> by <paramref name="keys"/> (from <see cref="Key"/>) in place; positions must
    /// come in ascending order, and equal keys keep it. The keys are sorted as numbers (no comparer), then each run of
    /// equal keys is put back in position order, which is what a stable sort gives.
    /// </summary>
    public static void Sort(Span<ulong> keys, Span<int> positions)
    {
        if (keys.Length < 2)
        {
            return;
        }

        keys.Sort(positions);
        int start = 0;
        for (int i = 1; i <= keys.Length; i++)
        {
            if (i == keys.Length || keys[i] != keys[start])
            {
                if (i - start > 1)
                {
                    positions[start..i].Sort();
                }

                start = i;
            }
        }
    }
}
