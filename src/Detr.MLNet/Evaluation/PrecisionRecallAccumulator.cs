namespace Detr.MLNet.Evaluation;

/// <summary>
/// pycocotools' <c>accumulate</c> for one category, computed from the true positives alone. pycocotools builds, per
/// area range, cap and IoU threshold, the cumulative precision and recall after every ranked detection, makes the
/// precision monotone from the right, and samples it (and the score) at the first rank whose recall reaches each recall
/// threshold. Recall only rises at a true positive, so that first rank is the c-th true positive, where c is the
/// fewest true positives whose recall c / npig reaches the threshold (rank 0 when none are needed). The envelope there
/// is the largest precision at or after it, and precision peaks only at true positives (a false positive lowers it,
/// an ignored detection repeats it), so the largest precision from the c-th true positive on is the same value. Each
/// precision is computed with pycocotools' own operations (<c>tp / (fp + tp + np.spacing(1))</c>), so every sampled
/// value and score is bit for bit its value; a pass over the ranks per area range and threshold serves every cap.
/// </summary>
internal static class PrecisionRecallAccumulator
{
    /// <summary>
    /// <c>np.spacing(1)</c>: the gap from 1.0 to the next double (2⁻⁵²), added to the precision denominator so that
    /// 0/0 reads as 0. Not <see cref="double.Epsilon"/>, which is the smallest subnormal.
    /// </summary>
    private static readonly double SpacingOfOne = Math.BitIncrement(1.0) - 1.0;

    /// <summary>Fills this category's slots of the precision, recall and score arrays.</summary>
    /// <param name="ranking">The category's ranked detections.</param>
    /// <param name="category">Category index k.</param>
    /// <param name="outcomes">The category's outcomes laid out [area, threshold, rank].</param>
    /// <param name="countedGroundTruth">Per area range, the number of ground truth that is not ignored.</param>
    /// <param name="thresholdCount">Number of IoU thresholds T.</param>
    /// <param name="recallThresholds">Recall thresholds R.</param>
    /// <param name="maxDetections">Caps M, ascending.</param>
    /// <param name="results">Destination arrays.</param>
    /// <param name="workspace">The calling thread's scratch buffers.</param>
    public static void Accumulate(
        in CategoryRanking ranking,
        int category,
        ReadOnlySpan<byte> outcomes,
        ReadOnlySpan<int> countedGroundTruth,
        int thresholdCount,
        ReadOnlySpan<double> recallThresholds,
        int[] maxDetections,
        EvaluationArrays results,
        EvaluationWorkspace workspace)
    {
        int count = ranking.Count;
        int caps = maxDetections.Length;
        ReadOnlySpan<int> capLevels = ranking.CapLevels;
        ReadOnlySpan<double> scores = ranking.Scores;

        // Per cap: how many ranked detections it keeps (every image's first `cap`) and the score of its first one.
        Span<int> kept = caps <= 64 ? stackalloc int[caps] : new int[caps];
        Span<double> firstScore = caps <= 64 ? stackalloc double[caps] : new double[caps];
        kept.Clear();
        for (int rank = count - 1; rank >= 0; rank--)
        {
            for (int m = capLevels[rank]; m < caps; m++)
            {
                kept[m]++;
                firstScore[m] = scores[rank];
            }
        }

        Span<int> hits = caps <= 64 ? stackalloc int[caps] : new int[caps];
        Span<int> misses = caps <= 64 ? stackalloc int[caps] : new int[caps];
        Span<int> needed = recallThresholds.Length <= 256 ? stackalloc int[recallThresholds.Length] : new int[recallThresholds.Length];
        Span<double> hitPrecision = workspace.HitPrecision(caps * count);
        Span<double> hitScores = workspace.HitScores(caps * count);
        int areaCount = countedGroundTruth.Length;
        for (int a = 0; a < areaCount; a++)
        {
            int positives = countedGroundTruth[a];
            if (positives == 0)
            {
                continue; // no ground truth to recall: the slots keep -1
            }

            TruePositivesNeeded(recallThresholds, positives, needed);
            for (int t = 0; t < thresholdCount; t++)
            {
                ReadOnlySpan<byte> outcome = outcomes.Slice((a * thresholdCount + t) * count, count);
                hits.Clear();
                misses.Clear();
                for (int rank = 0; rank < count; rank++)
                {
                    byte what = outcome[rank];
                    if (what == (byte)DetectionOutcome.Ignored)
                    {
                        continue;
                    }

                    int level = capLevels[rank];
                    if (what == (byte)DetectionOutcome.FalsePositive)
                    {
                        for (int m = level; m < caps; m++)
                        {
                            misses[m]++;
                        }

                        continue;
                    }

                    for (int m = level; m < caps; m++)
                    {
                        int hit = hits[m]++;
                        double tp = hit + 1;
                        double fp = misses[m];
                        hitPrecision[m * count + hit] = tp / (fp + tp + SpacingOfOne);
                        hitScores[m * count + hit] = scores[rank];
                    }
                }

                for (int m = 0; m < caps; m++)
                {
                    Span<double> precision = hitPrecision.Slice(m * count, hits[m]);
                    results.SetRecall(t, category, a, m, kept[m] > 0 ? (double)hits[m] / positives : 0);
                    MakeMonotone(precision);
                    Sample(precision, hitScores.Slice(m * count, hits[m]), kept[m], firstScore[m], needed, results, t, category, a, m);
                }
            }
        }
    }

    /// <summary>
    /// For each recall threshold, the fewest true positives c whose recall <c>c / npig</c> (pycocotools' division)
    /// reaches it, or -1 when even all of them do not (<c>searchsorted(side='left')</c> then runs off the end).
    /// </summary>
    private static void TruePositivesNeeded(ReadOnlySpan<double> recallThresholds, int positives, Span<int> needed)
    {
        for (int r = 0; r < recallThresholds.Length; r++)
        {
            double threshold = recallThresholds[r];
            if (!((double)positives / positives >= threshold))
            {
                needed[r] = -1;
                continue;
            }

            // c / positives is non-decreasing in c (division rounds monotonically): the first c that reaches it.
            int low = 0;
            int high = positives;
            while (low < high)
            {
                int middle = low + ((high - low) >> 1);
                if ((double)middle / positives >= threshold)
                {
                    high = middle;
                }
                else
                {
                    low = middle + 1;
                }
            }

            needed[r] = low;
        }
    }

    /// <summary>Replaces each precision by the best precision at any later true positive (the interpolation envelope).</summary>
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
    /// For each recall threshold in order, the precision and score at the first rank whose recall reaches it: rank 0
    /// (the cap's first detection, whatever it is) when no true positive is needed, else the c-th true positive. The
    /// first threshold past the highest recall ends sampling, and it and all later thresholds keep 0, as pycocotools'
    /// try/except leaves them.
    /// </summary>
    private static void Sample(
        ReadOnlySpan<double> hitPrecision,
        ReadOnlySpan<double> hitScores,
        int ranked,
        double firstScore,
        ReadOnlySpan<int> needed,
        EvaluationArrays results,
        int t,
        int category,
        int a,
        int m)
    {
        for (int r = 0; r < needed.Length; r++)
        {
            results.SetPrecision(t, r, category, a, m, 0, 0);
        }

        if (ranked == 0)
        {
            return;
        }

        for (int r = 0; r < needed.Length; r++)
        {
            int c = needed[r];
            if (c < 0 || c > hitPrecision.Length)
            {
                break;
            }

            if (c == 0)
            {
                // Rank 0: the envelope there is the best precision anywhere, 0 when nothing was found.
                results.SetPrecision(t, r, category, a, m, hitPrecision.Length > 0 ? hitPrecision[0] : 0, firstScore);
            }
            else
            {
                results.SetPrecision(t, r, category, a, m, hitPrecision[c - 1], hitScores[c - 1]);
            }
        }
    }
}
