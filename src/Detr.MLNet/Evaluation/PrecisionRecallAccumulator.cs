namespace Detr.MLNet.Evaluation;

/// <summary>
/// pycocotools' <c>accumulate</c> for one category: ranks the category's detections from all images by score,
/// walks the ranking per area range, cap and IoU threshold, and samples the precision envelope at the recall
/// thresholds.
/// </summary>
internal static class PrecisionRecallAccumulator
{
    /// <summary>
    /// <c>np.spacing(1)</c>: the gap from 1.0 to the next double (2⁻⁵²), added to the precision denominator so that
    /// 0/0 reads as 0. Not <see cref="double.Epsilon"/>, which is the smallest subnormal.
    /// </summary>
    private static readonly double SpacingOfOne = Math.BitIncrement(1.0) - 1.0;

    /// <summary>Fills this category's slots of the precision, recall and score arrays.</summary>
    /// <param name="grouped">The bucketed annotations.</param>
    /// <param name="category">Category index k.</param>
    /// <param name="outcomes">The category's outcomes laid out [area, threshold, detection].</param>
    /// <param name="countedGroundTruth">Per area range, the number of ground truth that is not ignored.</param>
    /// <param name="options">Thresholds and ranges.</param>
    /// <param name="maxDetections">Caps M, ascending.</param>
    /// <param name="results">Destination arrays.</param>
    /// <param name="workspace">The calling thread's scratch buffers.</param>
    public static void Accumulate(
        GroupedAnnotations grouped,
        int category,
        ReadOnlySpan<byte> outcomes,
        ReadOnlySpan<int> countedGroundTruth,
        CocoEvaluationOptions options,
        int[] maxDetections,
        EvaluationArrays results,
        EvaluationWorkspace workspace)
    {
        int firstUnit = category * grouped.ImageCount;
        int begin = grouped.DetectionStart[firstUnit];
        int count = grouped.DetectionStart[firstUnit + grouped.ImageCount] - begin;

        // The concatenation order is image by image (ascending id), each image's detections by descending score;
        // a stable sort of that by score is pycocotools' mergesort over the concatenated scores.
        Span<ScoredPosition> ranking = workspace.Ranking(count);
        Span<int> rankInImage = workspace.DetectionRank(count);
        for (int unit = firstUnit; unit < firstUnit + grouped.ImageCount; unit++)
        {
            int unitBegin = grouped.DetectionStart[unit];
            int unitEnd = grouped.DetectionStart[unit + 1];
            for (int j = unitBegin; j < unitEnd; j++)
            {
                rankInImage[j - begin] = j - unitBegin;
                ranking[j - begin] = new ScoredPosition(grouped.Detections[j].Score, j - begin);
            }
        }

        DescendingScoreOrder.Sort(ranking);

        int thresholdCount = options.IouThresholds.Count;
        Span<double> recall = workspace.RecallCurve(count);
        Span<double> precision = workspace.PrecisionCurve(count);
        Span<double> scores = workspace.ScoreCurve(count);
        for (int a = 0; a < options.AreaRanges.Count; a++)
        {
            int positives = countedGroundTruth[a];
            if (positives == 0)
            {
                continue; // no ground truth to recall: the slots keep -1
            }

            for (int m = 0; m < maxDetections.Length; m++)
            {
                int cap = maxDetections[m];
                for (int t = 0; t < thresholdCount; t++)
                {
                    ReadOnlySpan<byte> outcome = outcomes.Slice((a * thresholdCount + t) * count, count);
                    int length = BuildCurve(ranking, rankInImage, outcome, cap, positives, recall, precision, scores);
                    results.SetRecall(t, category, a, m, length > 0 ? recall[length - 1] : 0);
                    MakeMonotone(precision[..length]);
                    Sample(recall[..length], precision[..length], scores[..length], options.RecallThresholds, results, t, category, a, m);
                }
            }
        }
    }

    /// <summary>
    /// Cumulative recall and precision after each ranked detection within the cap. Ignored detections keep their
    /// place (repeating the previous values), as they do in pycocotools, which matters for the score array.
    /// </summary>
    private static int BuildCurve(
        ReadOnlySpan<ScoredPosition> ranking,
        ReadOnlySpan<int> rankInImage,
        ReadOnlySpan<byte> outcome,
        int cap,
        int positives,
        Span<double> recall,
        Span<double> precision,
        Span<double> scores)
    {
        int length = 0;
        int truePositives = 0;
        int falsePositives = 0;
        foreach (ScoredPosition item in ranking)
        {
            if (rankInImage[item.Position] >= cap)
            {
                continue; // beyond this image's first `cap` detections
            }

            switch ((DetectionOutcome)outcome[item.Position])
            {
                case DetectionOutcome.TruePositive:
                    truePositives++;
                    break;
                case DetectionOutcome.FalsePositive:
                    falsePositives++;
                    break;
            }

            double tp = truePositives;
            double fp = falsePositives;
            recall[length] = tp / positives;
            precision[length] = tp / (fp + tp + SpacingOfOne);
            scores[length] = item.Score;
            length++;
        }

        return length;
    }

    /// <summary>Replaces each precision by the best precision at any later rank (the interpolation envelope).</summary>
    private static void MakeMonotone(Span<double> precision)
    {
        for (int i = precision.Length - 1; i > 0; i--)
        {
            if (precision[i] > precision[i - 1])
            {
                precision[i - 1] = precision[i];
            }
        }
    }

    /// <summary>
    /// For each recall threshold in order, the first rank whose recall reaches it (<c>searchsorted(side='left')</c>)
    /// gives the precision and score. The first threshold past the highest recall ends sampling, and it and all later
    /// thresholds keep 0, as pycocotools' try/except leaves them.
    /// </summary>
    private static void Sample(
        ReadOnlySpan<double> recall,
        ReadOnlySpan<double> precision,
        ReadOnlySpan<double> scores,
        IReadOnlyList<double> recallThresholds,
        EvaluationArrays results,
        int t,
        int category,
        int a,
        int m)
    {
        for (int r = 0; r < recallThresholds.Count; r++)
        {
            results.SetPrecision(t, r, category, a, m, 0, 0);
        }

        for (int r = 0; r < recallThresholds.Count; r++)
        {
            int index = LowerBound(recall, recallThresholds[r]);
            if (index >= recall.Length)
            {
                break;
            }

            results.SetPrecision(t, r, category, a, m, precision[index], scores[index]);
        }
    }

    /// <summary>First index whose value is not below <paramref name="value"/> in an ascending span (its length if none).</summary>
    private static int LowerBound(ReadOnlySpan<double> ascending, double value)
    {
        int low = 0;
        int high = ascending.Length;
        while (low < high)
        {
            int middle = low + ((high - low) >> 1);
            if (ascending[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
