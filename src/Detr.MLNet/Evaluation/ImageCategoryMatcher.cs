namespace Detr.MLNet.Evaluation;

/// <summary>
/// pycocotools' <c>evaluateImg</c> for one unit (image × category): greedy matching of score-ordered detections to
/// ground truth at every IoU threshold and area range, recorded as one <see cref="DetectionOutcome"/> per detection.
/// </summary>
internal static class ImageCategoryMatcher
{
    /// <summary>pycocotools caps the IoU bar just below 1 so that a perfect overlap (IoU exactly 1) can still match.</summary>
    private const double HighestUsableThreshold = 1 - 1e-10;

    /// <summary>
    /// Matches one unit and writes its outcomes into the category-wide buffer laid out [area, threshold, detection].
    /// </summary>
    /// <param name="detections">The unit's detections, already sorted by descending score and capped.</param>
    /// <param name="groundTruth">The unit's ground truth in input order.</param>
    /// <param name="iouThresholds">IoU thresholds T.</param>
    /// <param name="areaRanges">Area ranges A.</param>
    /// <param name="outcomes">The category's outcome buffer.</param>
    /// <param name="detectionOffset">Where this unit's detections start among the category's detections.</param>
    /// <param name="categoryDetectionCount">Number of detections in the whole category (the stride of the buffer).</param>
    /// <param name="countedGroundTruth">Per area range, the running count of ground truth that is not ignored.</param>
    /// <param name="workspace">The calling thread's scratch buffers.</param>
    public static void Match(
        ReadOnlySpan<CocoDetection> detections,
        ReadOnlySpan<CocoGroundTruthBox> groundTruth,
        IReadOnlyList<double> iouThresholds,
        IReadOnlyList<CocoAreaRange> areaRanges,
        Span<byte> outcomes,
        int detectionOffset,
        int categoryDetectionCount,
        Span<int> countedGroundTruth,
        EvaluationWorkspace workspace)
    {
        int d = detections.Length;
        int g = groundTruth.Length;
        int thresholdCount = iouThresholds.Count;

        // IoU does not depend on the area range or threshold: compute it once per unit.
        Span<double> iou = workspace.Iou(d * g);
        for (int di = 0; di < d; di++)
        {
            ref readonly CocoDetection det = ref detections[di];
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
        for (int a = 0; a < areaRanges.Count; a++)
        {
            CocoAreaRange range = areaRanges[a];
            int counted = OrderCountedFirst(groundTruth, range, order, ignored);
            countedGroundTruth[a] += counted;

            for (int t = 0; t < thresholdCount; t++)
            {
                Span<byte> slice = outcomes.Slice((a * thresholdCount + t) * categoryDetectionCount + detectionOffset, d);
                double threshold = Math.Min(iouThresholds[t], HighestUsableThreshold);
                matched.Clear();
                for (int di = 0; di < d; di++)
                {
                    int best = FindMatch(iou.Slice(di * g, g), order, ignored, matched, groundTruth, threshold);
                    bool outsideRange = range.Excludes(detections[di].Area);
                    if (best < 0)
                    {
                        slice[di] = (byte)(outsideRange ? DetectionOutcome.Ignored : DetectionOutcome.FalsePositive);
                        continue;
                    }

                    matched[best] = true;
                    if (ignored[best])
                    {
                        slice[di] = (byte)DetectionOutcome.Ignored;
                    }
                    else if (groundTruth[order[best]].HasAnnotationIdZero)
                    {
                        // pycocotools stores the matched annotation id and reads 0 as "unmatched".
                        slice[di] = (byte)(outsideRange ? DetectionOutcome.Ignored : DetectionOutcome.FalsePositive);
                    }
                    else
                    {
                        slice[di] = (byte)DetectionOutcome.TruePositive;
                    }
                }
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
