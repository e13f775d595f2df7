using System.Collections.ObjectModel;

namespace Detr.MLNet.Evaluation;

/// <summary>
/// Result of a COCO bbox evaluation: the twelve summary numbers, AP per category, and the accumulated arrays
/// (precision and scores [T,R,K,A,M], recall [T,K,A,M]; -1 marks settings without ground truth).
/// </summary>
public sealed class CocoMetrics
{
    private readonly SummaryStat[] _definitions;

    internal CocoMetrics(
        EvaluationArrays arrays,
        SummaryStat[] definitions,
        double[] stats,
        IReadOnlyList<int> imageIds,
        IReadOnlyList<int> categoryIds,
        CocoEvaluationOptions options,
        int[] maxDetections)
    {
        _definitions = definitions;
        Stats = Array.AsReadOnly(stats);
        ImageIds = imageIds;
        CategoryIds = categoryIds;
        IouThresholds = options.IouThresholds.ToArray().AsReadOnly();
        RecallThresholds = options.RecallThresholds.ToArray().AsReadOnly();
        AreaRanges = options.AreaRanges.ToArray().AsReadOnly();
        MaxDetections = Array.AsReadOnly(maxDetections);
        Precision = new CocoMetricArray(arrays.Precision, arrays.T, arrays.R, arrays.K, arrays.A, arrays.M);
        Scores = new CocoMetricArray(arrays.Scores, arrays.T, arrays.R, arrays.K, arrays.A, arrays.M);
        Recall = new CocoMetricArray(arrays.Recall, arrays.T, arrays.K, arrays.A, arrays.M);

        var perCategory = new Dictionary<int, double>(categoryIds.Count);
        for (int k = 0; k < categoryIds.Count; k++)
        {
            perCategory[categoryIds[k]] = CocoSummary.CategoryAveragePrecision(arrays, k);
        }

        PerCategoryAP = new ReadOnlyDictionary<int, double>(perCategory);
    }

    /// <summary>AP averaged over IoU .50:.95, all areas, 100 detections.</summary>
    public double AP => Stats[0];

    /// <summary>AP at IoU .50.</summary>
    public double AP50 => Stats[1];

    /// <summary>AP at IoU .75.</summary>
    public double AP75 => Stats[2];

    /// <summary>AP for small objects (area ≤ 32²).</summary>
    public double APSmall => Stats[3];

    /// <summary>AP for medium objects (32² ≤ area ≤ 96²).</summary>
    public double APMedium => Stats[4];

    /// <summary>AP for large objects (area ≥ 96²).</summary>
    public double APLarge => Stats[5];

    /// <summary>AR with 1 detection per image.</summary>
    public double AR1 => Stats[6];

    /// <summary>AR with 10 detections per image.</summary>
    public double AR10 => Stats[7];

    /// <summary>AR with 100 detections per image.</summary>
    public double AR100 => Stats[8];

    /// <summary>AR for small objects.</summary>
    public double ARSmall => Stats[9];

    /// <summary>AR for medium objects.</summary>
    public double ARMedium => Stats[10];

    /// <summary>AR for large objects.</summary>
    public double ARLarge => Stats[11];

    /// <summary>The twelve numbers in pycocotools' <c>stats</c> order.</summary>
    public IReadOnlyList<double> Stats { get; }

    /// <summary>AP@[.5:.95] (all areas, largest cap) per category id; -1 for a category without ground truth.</summary>
    public IReadOnlyDictionary<int, double> PerCategoryAP { get; }

    /// <summary>Interpolated precision [T,R,K,A,M]; -1 where the setting has no ground truth.</summary>
    public CocoMetricArray Precision { get; }

    /// <summary>Recall reached with all allowed detections [T,K,A,M]; -1 where the setting has no ground truth.</summary>
    public CocoMetricArray Recall { get; }

    /// <summary>Score of the detection at which each precision sample was taken [T,R,K,A,M].</summary>
    public CocoMetricArray Scores { get; }

    /// <summary>Images evaluated, ascending.</summary>
    public IReadOnlyList<int> ImageIds { get; }

    /// <summary>The K axis: category ids ascending, or the single id -1 when categories were pooled.</summary>
    public IReadOnlyList<int> CategoryIds { get; }

    /// <summary>The T axis.</summary>
    public IReadOnlyList<double> IouThresholds { get; }

    /// <summary>The R axis.</summary>
    public IReadOnlyList<double> RecallThresholds { get; }

    /// <summary>The A axis.</summary>
    public IReadOnlyList<CocoAreaRange> AreaRanges { get; }

    /// <summary>The M axis, ascending.</summary>
    public IReadOnlyList<int> MaxDetections { get; }

    /// <summary>The twelve numbers keyed AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl.</summary>
    public IReadOnlyDictionary<string, double> ToNamedStats()
    {
        var named = new Dictionary<string, double>(_definitions.Length);
        for (int i = 0; i < _definitions.Length; i++)
        {
            named[_definitions[i].Key] = Stats[i];
        }

        return new ReadOnlyDictionary<string, double>(named);
    }

    /// <summary>The twelve lines pycocotools' <c>summarize()</c> prints.</summary>
    public override string ToString()
    {
        var lines = new string[_definitions.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            lines[i] = CocoSummary.FormatLine(_definitions[i], Stats[i], IouThresholds);
        }

        return string.Join(Environment.NewLine, lines);
    }
}
