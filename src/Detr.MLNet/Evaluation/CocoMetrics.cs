using System.Globalization;
using System.Text;

namespace Detr.MLNet.Evaluation;

/// <summary>
/// The result of a COCO bbox evaluation: the 12 standard numbers, AP per category, and pycocotools' precision
/// [T,R,K,A,M], recall [T,K,A,M] and scores arrays (−1 where a category has no ground truth).
/// </summary>
public sealed class CocoMetrics
{
    internal CocoMetrics(double[] stats, IReadOnlyDictionary<int, double> perCategory, double[,,,,] precision, double[,,,] recall,
        double[,,,,] scores, CocoEvaluationOptions options, IReadOnlyList<int> categoryIds)
    {
        Stats = stats;
        PerCategoryAP = perCategory;
        Precision = precision;
        Recall = recall;
        Scores = scores;
        Options = options;
        CategoryIds = categoryIds;
    }

    /// <summary>The 12 numbers in pycocotools' order: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl.</summary>
    public IReadOnlyList<double> Stats { get; }

    /// <summary>AP@[.5:.95] (all areas, 100 detections) per category id; −1 without ground truth.</summary>
    public IReadOnlyDictionary<int, double> PerCategoryAP { get; }

    /// <summary>Interpolated precision [IoU threshold, recall point, category, area, max detections].</summary>
    public double[,,,,] Precision { get; }

    /// <summary>Recall [IoU threshold, category, area, max detections].</summary>
    public double[,,,] Recall { get; }

    /// <summary>Score at each interpolated precision point, shaped as <see cref="Precision"/>.</summary>
    public double[,,,,] Scores { get; }

    /// <summary>The parameters used.</summary>
    public CocoEvaluationOptions Options { get; }

    /// <summary>Category ids in the order of the K dimension.</summary>
    public IReadOnlyList<int> CategoryIds { get; }

    /// <summary>AP@[.5:.95].</summary>
    public double AP => Stats[0];
    /// <summary>AP at IoU 0.5.</summary>
    public double AP50 => Stats[1];
    /// <summary>AP at IoU 0.75.</summary>
    public double AP75 => Stats[2];
    /// <summary>AP for small objects (area &lt; 32²).</summary>
    public double APSmall => Stats[3];
    /// <summary>AP for medium objects.</summary>
    public double APMedium => Stats[4];
    /// <summary>AP for large objects (area &gt; 96²).</summary>
    public double APLarge => Stats[5];
    /// <summary>Recall with 1 detection per image.</summary>
    public double AR1 => Stats[6];
    /// <summary>Recall with 10 detections per image.</summary>
    public double AR10 => Stats[7];
    /// <summary>Recall with 100 detections per image.</summary>
    public double AR100 => Stats[8];
    /// <summary>Recall for small objects.</summary>
    public double ARSmall => Stats[9];
    /// <summary>Recall for medium objects.</summary>
    public double ARMedium => Stats[10];
    /// <summary>Recall for large objects.</summary>
    public double ARLarge => Stats[11];

    /// <summary>Names used by <c>detr evaluate --json</c>, in order.</summary>
    public static IReadOnlyList<string> StatNames { get; } = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"];

    /// <summary>The 12 stats by name.</summary>
    public IReadOnlyDictionary<string, double> ToNamedStats() => StatNames.Select((n, i) => (n, Stats[i])).ToDictionary(p => p.n, p => p.Item2);

    /// <summary>The 12 lines pycocotools' <c>summarize()</c> prints.</summary>
    public override string ToString()
    {
        var lines = new StringBuilder();
        string[] kinds = ["Average Precision", "Average Precision", "Average Precision", "Average Precision", "Average Precision", "Average Precision",
            "Average Recall", "Average Recall", "Average Recall", "Average Recall", "Average Recall", "Average Recall"];
        string[] ious = ["0.50:0.95", "0.50", "0.75", "0.50:0.95", "0.50:0.95", "0.50:0.95", "0.50:0.95", "0.50:0.95", "0.50:0.95", "0.50:0.95", "0.50:0.95", "0.50:0.95"];
        string[] areas = ["all", "all", "all", "small", "medium", "large", "all", "all", "all", "small", "medium", "large"];
        int[] dets = [100, 100, 100, 100, 100, 100, 1, 10, 100, 100, 100, 100];
        for (int i = 0; i < 12; i++)
            lines.AppendLine(string.Format(CultureInfo.InvariantCulture, " {0,-18} {1} @[ IoU={2,-9} | area={3,6} | maxDets={4,3} ] = {5:0.000}",
                kinds[i], i < 6 ? "(AP)" : "(AR)", ious[i], areas[i], dets[i], Stats[i]));
        return lines.ToString();
    }
}
