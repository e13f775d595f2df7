using Detr.MLNet.Evaluation;
using Detr.MLNet.Rendering;
using Detr.Training.Trainers;
using SkiaSharp;

namespace Detr.Cli.Reporting;

/// <summary>The demo's two plots: the training loss curve and per-class precision–recall curves.</summary>
public static class TrainingCharts
{
    /// <summary>Total loss and its main terms per step, plus validation loss per epoch when there is one.</summary>
    public static SKBitmap LossCurve(IReadOnlyList<DetrTrainingProgress> history)
    {
        var steps = history.Where(h => h.Validation is null).ToArray();
        var x = steps.Select(h => (double)h.GlobalStep).ToArray();
        var series = new List<ChartSeries>
        {
            new("loss", x, Smooth(steps.Select(h => h.Loss).ToArray())),
            new("loss_ce", x, Smooth(steps.Select(h => h.Terms.GetValueOrDefault("loss_ce")).ToArray())),
            new("loss_bbox", x, Smooth(steps.Select(h => h.Terms.GetValueOrDefault("loss_bbox")).ToArray())),
            new("loss_giou", x, Smooth(steps.Select(h => h.Terms.GetValueOrDefault("loss_giou")).ToArray())),
        };
        var validation = history.Where(h => h.Validation is not null).ToArray();
        if (validation.Length > 0)
            series.Add(new ChartSeries("validation loss", validation.Select(h => (double)h.GlobalStep).ToArray(),
                validation.Select(h => h.Validation!["loss"]).ToArray()));
        return LineChart.Render("Training loss (moving average over 10 steps)", "step", "loss", series);
    }

    /// <summary>Validation AP and AP50 against the training step, or null when training never validated.</summary>
    public static SKBitmap? ValidationCurve(IReadOnlyList<DetrTrainingProgress> history)
    {
        var validation = history.Where(h => h.Validation is not null).ToArray();
        if (validation.Length == 0)
            return null;
        var x = validation.Select(h => (double)h.GlobalStep).ToArray();
        return LineChart.Render("Validation mAP", "step", "AP", [
            new ChartSeries("AP50", x, validation.Select(h => h.Validation!["AP50"]).ToArray()),
            new ChartSeries("AP (0.5:0.95)", x, validation.Select(h => h.Validation!["AP"]).ToArray()),
        ], (0, 1));
    }

    /// <summary>Precision against recall at IoU 0.5 (all areas, 100 detections) for each class with ground truth.</summary>
    public static SKBitmap PrecisionRecall(CocoMetrics metrics, IReadOnlyDictionary<int, string> names)
    {
        var recall = metrics.RecallThresholds.ToArray();
        var series = new List<ChartSeries>();
        for (int k = 0; k < metrics.CategoryIds.Count; k++)
        {
            var precision = recall.Select((_, r) => metrics.Precision[0, r, k, 0, metrics.MaxDetections.Count - 1]).ToArray();
            if (precision.All(p => p < 0))
                continue;
            int id = metrics.CategoryIds[k];
            series.Add(new ChartSeries($"{names.GetValueOrDefault(id, id.ToString())} (AP50 {Ap50(precision):0.00})", recall, precision));
        }
        return LineChart.Render("Precision-recall at IoU 0.5", "recall", "precision", series, (0, 1));
    }

    static double Ap50(double[] precision) => precision.Where(p => p >= 0).DefaultIfEmpty(0).Average();

    static double[] Smooth(double[] values)
    {
        var smoothed = new double[values.Length];
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= 10)
                sum -= values[i - 10];
            smoothed[i] = sum / Math.Min(i + 1, 10);
        }
        return smoothed;
    }
}
