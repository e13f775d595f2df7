namespace Detr.MLNet.Evaluation;

/// <summary>A score and the position it had before sorting, so equal scores can keep their original order.</summary>
/// <param name="Score">Detection confidence.</param>
/// <param name="Position">Index in the sequence being sorted.</param>
internal readonly record struct ScoredPosition(double Score, int Position);

/// <summary>
/// Highest score first, equal scores in their original order. pycocotools sorts with
/// <c>np.argsort(-scores, kind='mergesort')</c>, a stable sort; ranking ties by position gives the same order with
/// any sort algorithm, so results never depend on how .NET sorts. NaN scores go last, as numpy puts NaN last.
/// </summary>
internal readonly struct DescendingScoreOrder : IComparer<ScoredPosition>
{
    /// <inheritdoc />
    public int Compare(ScoredPosition left, ScoredPosition right)
    {
        int byScore = CompareScores(left.Score, right.Score);
        return byScore != 0 ? byScore : left.Position.CompareTo(right.Position);
    }

    /// <summary>Sorts <paramref name="items"/> in place, highest score first and stable on ties.</summary>
    public static void Sort(Span<ScoredPosition> items)
    {
        if (items.Length > 1)
        {
            items.Sort(new DescendingScoreOrder());
        }
    }

    private static int CompareScores(double left, double right)
    {
        if (left > right)
        {
            return -1;
        }

        if (left < right)
        {
            return 1;
        }

        bool leftNaN = double.IsNaN(left);
        bool rightNaN = double.IsNaN(right);
        return leftNaN == rightNaN ? 0 : leftNaN ? 1 : -1;
    }
}
