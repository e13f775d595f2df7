namespace Detr.MLNet.Evaluation;

/// <summary>
/// pycocotools' <c>evaluateImg</c> for one unit (image × category): greedy matching of score-ordered detections to
/// ground truth at every IoU threshold and area range, recorded as one <see cref="DetectionOutcome"/> per detection
/// at the detection's rank in its category (<see cref="CategoryRanking"/>).
/// </summary>
internal static class ImageCategoryMatcher
{
    /// <summary>pycocotools caps the IoU bar just below 1 so that a perfect overlap (IoU exactly 1) can still match.</summary>
    private const double HighestUsableThreshold = 1 - 1e-10;

    /// <summary>The thresholds as the matcher uses them: each capped at <see cref="HighestUsableThreshold"/>.</summary>
    public static double[] UsableThresholds(IReadOnlyList<double> iouThresholds)
    {
        var usable = new double[iouThresholds.Count];
        for (int t = 0; t < usable.Length; t++)
        {
            usable[t] = Math.Min(iouThresholds[t], HighestUsableThreshold);
        }

        return usable;
    }

    /// <summary>
    /// Matches one unit and writes its outcomes into the category-wide buffer laid out [area, threshold, rank]. A unit
    /// without ground truth needs no call: each of its detections is a false positive, or ignored where its own area
    /// is out of range, which <see cref="FillUnmatched"/> writes for every detection beforehand.
    /// </summary>
    /// <param name="detections">The category's detections (its slice of the grouped annotations).</param>
    /// <param name="unitOrder">Positions in <paramref name="detections"/> of the unit's kept detections, in matching order.</param>
    /// <param name="rankOf">Rank of each position in the category's ranking, where its outcomes are written.</param>
    /// <param name="groundTruth">The unit's ground truth in input order.</param>
    /// <param name="iouThresholds">IoU thresholds T, from <see cref="UsableThresholds"/>.</param>
    /// <param name="areaRanges">Area ranges A.</param>
    /// <param name="outcomes">The category's outcome buffer.</param>
    /// <param name="rankCount">Number of ranked detections in the category (the stride of the buffer).</param>
    /// <param name="countedGroundTruth">Per area range, the running count of ground truth that is not ignored.</param>
    /// <param name="workspace">The calling thread's scratch buffers.</param>
    public static void Match(
        ReadOnlySpan<CocoDetection> detections,
        ReadOnlySpan<int> unitOrder,
        ReadOnlySpan<int> rankOf,
        ReadOnlySpan<CocoGroundTruthBox> groundTruth,
        ReadOnlySpan<double> iouThresholds,
        ReadOnlySpan<CocoAreaRange> areaRanges,
        Span<byte> outcomes,
        int rankCount,
        Span<int> countedGroundTruth,
        EvaluationWorkspace workspace)
    {
        int d = unitOrder.Length;
        int g = groundTruth.Length;
        int thresholdCount = iouThresholds.Length;
        // IoU does not depend on the area range or threshold: compute it once per unit.
        Span<double> iou = workspace.Iou(d * g);
        for (int di = 0; di < d; di++)
        {
            ref readonly CocoDetection det = ref detections[unitOrder[di]];
            for (int gi = 0; gi < g; gi++)
            {
                ref readonly CocoGroundTruthBox gt = ref groundTruth[gi];
                iou[di * g + gi] = BoxIou.Compute(
                    det.X, det.Y, det.Width, det.Height, gt.X, gt.Y, gt.Width, gt.Height, gt.IsCrowd);
            }
        }

        Span<int> order = workspace.GroundTruthOrder(g);
        Span<bool> ignored = workspace.GroundTruthIgnored(g);
        Span<bool> matched = workspace.GroundTruthMatched(g);
        Span<byte> outsideRange = workspace.OutsideRange(d);
        for (int a = 0; a < areaRanges.Length; a++)
        {
            CocoAreaRange range = areaRanges[a];
            int counted = OrderCountedFirst(groundTruth, range, order, ignored);
            countedGroundTruth[a] += counted;
            if (d == 0)
            {
                continue;
            }

            for (int di = 0; di < d; di++)
            {
                outsideRange[di] = range.Excludes(detections[unitOrder[di]].Area) ? (byte)1 : (byte)0;
            }

            for (int t = 0; t < thresholdCount; t++)
            {
                Span<byte> slice = outcomes.Slice((a * thresholdCount + t) * rankCount, rankCount);
                double threshold = iouThresholds[t];
                matched.Clear();
                for (int di = 0; di < d; di++)
                {
                    int rank = rankOf[unitOrder[di]];
                    int best = FindMatch(iou.Slice(di * g, g), order, ignored, matched, groundTruth, threshold);
                    bool outside = outsideRange[di] != 0;
                    if (best < 0)
                    {
                        slice[rank] = (byte)(outside ? DetectionOutcome.Ignored : DetectionOutcome.FalsePositive);
                        continue;
                    }

                    matched[best] = true;
                    if (ignored[best])
                    {
                        slice[rank] = (byte)DetectionOutcome.Ignored;
                    }
                    else if (groundTruth[order[best]].HasAnnotationIdZero)
                    {
                        // pycocotools stores the matched annotation id and reads 0 as "unmatched".
                        slice[rank] = (byte)(outside ? DetectionOutcome.Ignored : DetectionOutcome.FalsePositive);
                    }
                    else
                    {
                        slice[rank] = (byte)DetectionOutcome.TruePositive;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Writes every ranked detection's outcome as if it matched nothing: a false positive, or ignored where its own area
    /// is outside the range; the same at every threshold.
    /// </summary>
    public static void FillUnmatched(ReadOnlySpan<double> areas, ReadOnlySpan<CocoAreaRange> areaRanges, int thresholdCount, Span<byte> outcomes)
    {
        int count = areas.Length;
        for (int a = 0; a < areaRanges.Length; a++)
        {
            CocoAreaRange range = areaRanges[a];
            Span<byte> first = outcomes.Slice(a * thresholdCount * count, count);
            for (int rank = 0; rank < count; rank++)
            {
                first[rank] = (byte)(range.Excludes(areas[rank]) ? DetectionOutcome.Ignored : DetectionOutcome.FalsePositive);
            }

            for (int t = 1; t < thresholdCount; t++)
            {
                first.CopyTo(outcomes.Slice((a * thresholdCount + t) * count, count));
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="order"/> with counted ground truth first and ignored after (a stable partition, like
    /// pycocotools' mergesort on the ignore flags), sets <paramref name="ignored"/> in that order, returns the count.
    /// </summary>
    private static int OrderCountedFirst(
        ReadOnlySpan<CocoGroundTruthBox> groundTruth, CocoAreaRange range, Span<int> order, Span<bool> ignored)
    {
        int next = 0;
        for (int gi = 0; gi < groundTruth.Length; gi++)
        {
            if (!IsIgnored(groundTruth[gi], range))
            {
                order[next++] = gi;
            }
        }

        int counted = next;
        for (int gi = 0; gi < groundTruth.Length; gi++)
        {
            if (IsIgnored(groundTruth[gi], range))
            {
                order[next++] = gi;
            }
        }

        for (int s = 0; s < groundTruth.Length; s++)
        {
            ignored[s] = s >= counted;
        }

        return counted;
    }

    /// <summary>Crowd regions, flagged boxes and boxes whose annotated area is outside the range are not positives.</summary>
    private static bool IsIgnored(in CocoGroundTruthBox box, CocoAreaRange range) =>
        box.IsCrowd || box.Ignore || range.Excludes(box.Area);

    /// <summary>
    /// The ground truth (index in matching order) a detection takes, or -1. Scans counted boxes before ignored ones,
    /// skips boxes already taken unless they are crowds, keeps the last box with the highest IoU at or above the bar,
    /// and stops at the first ignored box once a counted one has matched, so a real match is never traded for an
    /// ignored one.
    /// </summary>
    private static int FindMatch(
        ReadOnlySpan<double> iouRow,
        ReadOnlySpan<int> order,
        ReadOnlySpan<bool> ignored,
        ReadOnlySpan<bool> matched,
        ReadOnlySpan<CocoGroundTruthBox> groundTruth,
        double threshold)
    {
        double bar = threshold;
        int best = -1;
        for (int s = 0; s < order.Length; s++)
        {
            int gi = order[s];
            if (matched[s] && !groundTruth[gi].IsCrowd)
            {
                continue;
            }

            if (best > -1 && !ignored[best] && ignored[s])
            {
                break;
            }

            double value = iouRow[gi];
            if (value < bar)
            {
                continue;
            }

            bar = value;
            best = s;
        }

        return best;
    }
}
