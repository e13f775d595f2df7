using Detr.MLNet;
using Detr.MLNet.Evaluation;
using Detr.Training.Trainers;
using ScottPlot;

namespace Detr.Cli.Reporting;

/// <summary>The demo's and <c>detr train</c>'s plots, drawn with ScottPlot: loss, validation mAP, precision–recall.</summary>
public static class TrainingCharts
{
    /// <summary>The size every chart is saved at, in pixels.</summary>
    public const int Width = 900, Height = 600;

    /// <summary>Total loss and its main terms per step, plus validation loss per epoch when there is one.</summary>
    public static Plot LossCurve(IReadOnlyList<DetrTrainingProgress> history)
    {
        var steps = history.Where(h => h.Validation is null).ToArray();
        var x = steps.Select(h => (double)h.GlobalStep).ToArray();
        var series = new List<(string, double[], double[])>
        {
            ("loss", x, Smooth(steps.Select(h => h.Loss).ToArray())),
            ("loss_ce", x, Smooth(steps.Select(h => h.Terms.GetValueOrDefault("loss_ce")).ToArray())),
            ("loss_bbox", x, Smooth(steps.Select(h => h.Terms.GetValueOrDefault("loss_bbox")).ToArray())),
            ("loss_giou", x, Smooth(steps.Select(h => h.Terms.GetValueOrDefault("loss_giou")).ToArray())),
        };
        var plot = Lines("Training loss (moving average over 10 steps)", "step", "loss", series, Alignment.UpperRight, stepAxis: true);
        var validation = history.Where(h => h.Validation is not null).ToArray();
        if (validation.Length > 0)
            AddLine(plot, "validation loss", validation.Select(h => (double)h.GlobalStep).ToArray(), validation.Select(h => h.Validation!["loss"]).ToArray(), markers: true);
        return plot;
    }

    /// <summary>Validation AP and AP50 against the training step, or null when training never validated.</summary>
    public static Plot? ValidationCurve(IReadOnlyList<DetrTrainingProgress> history)
    {
        var validation = history.Where(h => h.Validation is not null).ToArray();
        if (validation.Length == 0)
            return null;
        var x = validation.Select(h => (double)h.GlobalStep).ToArray();
        var plot = Lines("Validation mAP", "step", "AP", [
            ("AP50", x, validation.Select(h => h.Validation!["AP50"]).ToArray()),
            ("AP (0.5:0.95)", x, validation.Select(h => h.Validation!["AP"]).ToArray()),
        ], Alignment.LowerRight, stepAxis: true, markers: true);
        plot.Axes.SetLimitsY(-0.02, 1.02); // lines at 0 or 1 stay clear of the frame
        return plot;
    }

    /// <summary>Precision against recall at IoU 0.5 (all areas, 100 detections) for each class with ground truth.</summary>
    public static Plot PrecisionRecall(CocoMetrics metrics, IReadOnlyDictionary<int, string> names)
    {
        var recall = metrics.RecallThresholds.ToArray();
        var series = new List<(string, double[], double[])>();
        for (int k = 0; k < metrics.CategoryIds.Count; k++)
        {
            var precision = recall.Select((_, r) => metrics.Precision[0, r, k, 0, metrics.MaxDetections.Count - 1]).ToArray();
            if (precision.All(p => p < 0))
                continue;
            int id = metrics.CategoryIds[k];
            series.Add(($"{names.GetValueOrDefault(id, id.ToString())} (AP50 {Ap50(precision):0.00})", recall, precision));
        }
        var plot = Lines("Precision-recall at IoU 0.5", "recall", "precision", series, Alignment.LowerLeft);
        plot.Axes.SetLimits(-0.02, 1.02, -0.02, 1.02);
        return plot;
    }

    /// <summary>Writes <paramref name="plot"/> as a <see cref="Width"/>×<see cref="Height"/> PNG (atomically).</summary>
    public static void SavePng(Plot plot, string path)
    {
        byte[] png = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    static Plot Lines(string title, string xLabel, string yLabel, IEnumerable<(string Name, double[] X, double[] Y)> series, Alignment legend,
        bool stepAxis = false, bool markers = false)
    {
        var plot = new Plot();
        plot.Font.Set(Font);
        plot.Title(title);
        plot.Axes.Title.Label.Bold = true;
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        // About half ScottPlot's default tick count: a label every 0.1 rather than 0.05 on a 0–1 axis; whole steps only.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TickDensity = 0.5, IntegerTicksOnly = stepAxis };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TickDensity = 0.5 };
        foreach (var (name, x, y) in series)
            AddLine(plot, name, x, y, markers);
        plot.ShowLegend(legend);
        return plot;
    }

    // The detection pictures' face where the system has it (SkiaSharp's default is a serif one on Debian), else a sans.
    static string Font { get; } = SkiaSharp.SKFontManager.Default.MatchFamily("DejaVu Sans") is { } face && face.FamilyName == "DejaVu Sans"
        ? "DejaVu Sans"
        : Fonts.Sans;

    // Points that are not finite (a diverged loss) are left out rather than breaking the axes.
    static void AddLine(Plot plot, string name, double[] x, double[] y, bool markers)
    {
        var points = x.Zip(y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
        if (points.Length == 0)
            return;
        var line = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second).ToArray());
        line.LegendText = name;
        line.LineWidth = 2;
        line.MarkerSize = markers ? 6 : 0;
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
