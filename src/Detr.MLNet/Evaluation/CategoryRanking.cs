namespace Detr.MLNet.Evaluation;

/// <summary>
/// One sort of a category's detections serves both of pycocotools' orders. Ranked by descending score with ties in
/// concatenation order (image by image in ascending id, each image's detections in input order), restricted to one
/// image it is that image's order for matching (<c>argsort(-score, kind='mergesort')</c> in <c>evaluateImg</c>), and
/// as a whole it is <c>accumulate</c>'s stable sort of the concatenated scores, because a stable sort of each image's
/// sorted list, then of their concatenation, orders exactly by (score, image, input position). Detections past the
/// largest cap in their image are dropped, as <c>evaluateImg</c> cuts them before matching.
/// </summary>
internal readonly ref struct CategoryRanking
{
    private CategoryRanking(ReadOnlySpan<int> rankOf, ReadOnlySpan<int> unitOrder, ReadOnlySpan<double> scores, ReadOnlySpan<double> areas, ReadOnlySpan<int> capLevels)
    {
        RankOf = rankOf;
        UnitOrder = unitOrder;
        Scores = scores;
        Areas = areas;
        CapLevels = capLevels;
    }

    /// <summary>Number of detections ranked (those within the largest cap of their image).</summary>
    public int Count => Scores.Length;

    /// <summary>Rank of the category's detection at each position (its offset in the category's slice), or -1 if cut.</summary>
    public ReadOnlySpan<int> RankOf { get; }

    /// <summary>
    /// Per image, positions of its kept detections in matching order: the image's detections start at the same offset
    /// here as in the category's slice, and the first min(count, largest cap) entries are filled.
    /// </summary>
    public ReadOnlySpan<int> UnitOrder { get; }

    /// <summary>Score at each rank.</summary>
    public ReadOnlySpan<double> Scores { get; }

    /// <summary>Area (width × height, as <c>loadRes</c> sets it) at each rank.</summary>
    public ReadOnlySpan<double> Areas { get; }

    /// <summary>At each rank, the first cap (index into the ascending caps) the detection falls within in its image.</summary>
    public ReadOnlySpan<int> CapLevels { get; }

    /// <summary>Ranks category <paramref name="category"/>'s detections in <paramref name="workspace"/>'s buffers.</summary>
    public static CategoryRanking Build(GroupedAnnotations grouped, int category, int[] caps, EvaluationWorkspace workspace)
    {
        int firstUnit = category * grouped.ImageCount;
        int begin = grouped.DetectionStart[firstUnit];
        int count = grouped.DetectionStart[firstUnit + grouped.ImageCount] - begin;
        ReadOnlySpan<CocoDetection> detections = grouped.Detections.AsSpan(begin, count);

        Span<ulong> keys = workspace.RankingKeys(count);
        Span<int> ranking = workspace.Ranking(count);
        Span<int> imageOf = workspace.ImageOfPosition(count);
        for (int image = 0; image < grouped.ImageCount; image++)
        {
            int unitBegin = grouped.DetectionStart[firstUnit + image] - begin;
            int unitEnd = grouped.DetectionStart[firstUnit + image + 1] - begin;
            for (int position = unitBegin; position < unitEnd; position++)
            {
                imageOf[position] = image;
                keys[position] = DescendingScoreOrder.Key(detections[position].Score);
                ranking[position] = position;
            }
        }

        DescendingScoreOrder.Sort(keys, ranking);

        int largestCap = caps[^1];
        Span<int> rankOf = workspace.RankOf(count);
        Span<int> unitOrder = workspace.UnitOrder(count);
        Span<double> scores = workspace.RankScores(count);
        Span<int> capLevels = workspace.RankCapLevels(count);
        Span<int> seenInImage = workspace.ImageCounters(grouped.ImageCount);
        seenInImage.Clear();
        int ranked = 0;
        Span<double> areas = workspace.RankAreas(count);
        foreach (int position in ranking)
        {
            int image = imageOf[position];
            int inImage = seenInImage[image]++;
            if (inImage >= largestCap)
            {
                rankOf[position] = -1;
                continue;
            }

            int level = 0;
            while (inImage >= caps[level])
            {
                level++;
            }

            rankOf[position] = ranked;
            scores[ranked] = detections[position].Score;
            areas[ranked] = detections[position].Area;
            capLevels[ranked] = level;
            unitOrder[grouped.DetectionStart[firstUnit + image] - begin + inImage] = position;
            ranked++;
        }

        return new CategoryRanking(rankOf, unitOrder, scores[..ranked], areas[..ranked], capLevels[..ranked]);
    }
}
