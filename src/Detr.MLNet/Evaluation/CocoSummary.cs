using System.Globalization;

namespace Detr.MLNet.Evaluation;

/// <summary>One of the twelve summary numbers: which array, IoU threshold, area range and cap it averages over.</summary>
/// <param name="Key">Short name, e.g. <c>AP50</c>.</param>
/// <param name="IsPrecision">True for average precision, false for average recall.</param>
/// <param name="IouThreshold">A single IoU threshold, or null for all of them.</param>
/// <param name="AreaName">Name of the area range.</param>
/// <param name="MaxDetections">The cap.</param>
internal readonly record struct SummaryStat(string Key, bool IsPrecision, double? IouThreshold, string AreaName, int MaxDetections);

/// <summary>
/// pycocotools' <c>summarize</c> for bbox: the twelve standard numbers, each the mean of the selected precision or
/// recall entries that are not -1 (or -1 when all are), and the text lines it prints.
/// </summary>
internal static class CocoSummary
{
    /// <summary>The twelve statistics in pycocotools' order, for the given ascending caps.</summary>
    public static SummaryStat[] Definitions(int[] caps)
    {
        // pycocotools indexes maxDets[0], [1], [2]; with fewer caps the last one stands in. The first statistic
        // uses a literal 100 there, not the third cap, so it is -1 when 100 is not a cap.
        int first = caps[0];
        int second = caps[Math.Min(1, caps.Length - 1)];
        int third = caps[Math.Min(2, caps.Length - 1)];
        return
        [
            new("AP", true, null, "all", 100),
            new("AP50", true, 0.5, "all", third),
            new("AP75", true, 0.75, "all", third),
            new("APs", true, null, "small", third),
            new("APm", true, null, "medium", third),
            new("APl", true, null, "large", third),
            new("AR1", false, null, "all", first),
            new("AR10", false, null, "all", second),
            new("AR100", false, null, "all", third),
            new("ARs", false, null, "small", third),
            new("ARm", false, null, "medium", third),
            new("ARl", false, null, "large", third),
        ];
    }

    /// <summary>Mean of the selected entries above -1, in row-major order; -1 when there are none.</summary>
    public static double Compute(
        SummaryStat stat, EvaluationArrays arrays, IReadOnlyList<double> iouThresholds, IReadOnlyList<CocoAreaRange> areaRanges, int[] caps)
    {
        var selected = new List<double>();
        int a = IndexOfArea(areaRanges, stat.AreaName);
        int m = Array.IndexOf(caps, stat.MaxDetections);
        if (a < 0 || m < 0)
        {
            return -1;
        }

        for (int t = 0; t < arrays.T; t++)
        {
            // pycocotools selects thresholds by exact equality, which is why they must be numpy's linspace values.
            if (stat.IouThreshold is double wanted && iouThresholds[t] != wanted)
            {
                continue;
            }

            if (stat.IsPrecision)
            {
                for (int r = 0; r < arrays.R; r++)
                {
                    for (int k = 0; k < arrays.K; k++)
                    {
                        Keep(arrays.Precision[arrays.PrecisionIndex(t, r, k, a, m)], selected);
                    }
                }
            }
            else
            {
                for (int k = 0; k < arrays.K; k++)
                {
                    Keep(arrays.Recall[arrays.RecallIndex(t, k, a, m)], selected);
                }
            }
        }

        return Mean(selected);
    }

    /// <summary>AP@[.5:.95] of one category: its precision at the first area range and the largest cap, averaged.</summary>
    public static double CategoryAveragePrecision(EvaluationArrays arrays, int k)
    {
        var selected = new List<double>(arrays.T * arrays.R);
        for (int t = 0; t < arrays.T; t++)
        {
            for (int r = 0; r < arrays.R; r++)
            {
                Keep(arrays.Precision[arrays.PrecisionIndex(t, r, k, 0, arrays.M - 1)], selected);
            }
        }

        return Mean(selected);
    }

    /// <summary>One printed line, formatted like pycocotools' summary.</summary>
    public static string FormatLine(SummaryStat stat, double value, IReadOnlyList<double> iouThresholds)
    {
        var culture = CultureInfo.InvariantCulture;
        string title = stat.IsPrecision ? "Average Precision" : "Average Recall";
        string kind = stat.IsPrecision ? "(AP)" : "(AR)";
        string iou = stat.IouThreshold is double single
            ? single.ToString("F2", culture)
            : string.Create(culture, $"{iouThresholds[0]:F2}:{iouThresholds[^1]:F2}");
        return string.Create(
            culture,
            $" {title,-18} {kind} @[ IoU={iou,-9} | area={stat.AreaName,6} | maxDets={stat.MaxDetections,3} ] = {value:F3}");
    }

    private static int IndexOfArea(IReadOnlyList<CocoAreaRange> areaRanges, string name)
    {
        for (int a = 0; a < areaRanges.Count; a++)
        {
            if (areaRanges[a].Name == name)
            {
                return a;
            }
        }

        return -1;
    }

    /// <summary>Keeps entries above -1, the "no ground truth" marker, as <c>s[s &gt; -1]</c> does.</summary>
    private static void Keep(double value, List<double> selected)
    {
        if (value > -1)
        {
            selected.Add(value);
        }
    }

    private static double Mean(List<double> selected) =>
        selected.Count == 0 ? -1 : NumpySum.Sum(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(selected)) / selected.Count;
}
