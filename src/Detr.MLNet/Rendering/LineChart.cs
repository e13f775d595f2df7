using System.Globalization;
using SkiaSharp;

namespace Detr.MLNet.Rendering;

/// <summary>A named series of (x, y) points.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// Line charts (precision–recall curves, training loss curves) drawn with SkiaSharp: axes with round ticks, a legend,
/// one palette colour per series. Hand-written because ScottPlot 5 needs SkiaSharp 3, which breaks ML.NET's image type.
/// </summary>
public static class LineChart
{
    const int Width = 900, Height = 600, Left = 80, Right = 220, Top = 50, Bottom = 70;

    /// <summary>Renders the series; <paramref name="yRange"/> fixes the y axis (e.g. 0..1), else it fits the data.</summary>
    public static SKBitmap Render(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, (double Min, double Max)? yRange = null)
    {
        var points = series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
        double xMin = points.Length > 0 ? points.Min(p => p.First) : 0, xMax = points.Length > 0 ? points.Max(p => p.First) : 1;
        double yMin = yRange?.Min ?? (points.Length > 0 ? Math.Min(0, points.Min(p => p.Second)) : 0);
        double yMax = yRange?.Max ?? (points.Length > 0 ? points.Max(p => p.Second) : 1);
        if (xMax <= xMin) xMax = xMin + 1;
        if (yMax <= yMin) yMax = yMin + 1;

        var bitmap = new SKBitmap(Width, Height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        var plot = new SKRect(Left, Top, Width - Right, Height - Bottom);
        float Px(double x) => plot.Left + (float)((x - xMin) / (xMax - xMin)) * plot.Width;
        float Py(double y) => plot.Bottom - (float)((y - yMin) / (yMax - yMin)) * plot.Height;

        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var font = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default, 14);
        using var grid = new SKPaint { Color = new SKColor(220, 220, 220), StrokeWidth = 1 };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.5f, Style = SKPaintStyle.Stroke };
        foreach (double tick in Ticks(xMin, xMax))
        {
            canvas.DrawLine(Px(tick), plot.Top, Px(tick), plot.Bottom, grid);
            canvas.DrawText(Format(tick), Px(tick) - 12, plot.Bottom + 20, SKTextAlign.Left, font, ink);
        }
        foreach (double tick in Ticks(yMin, yMax))
        {
            canvas.DrawLine(plot.Left, Py(tick), plot.Right, Py(tick), grid);
            canvas.DrawText(Format(tick), plot.Left - 8 - font.MeasureText(Format(tick)), Py(tick) + 5, SKTextAlign.Left, font, ink);
        }
        canvas.DrawRect(plot, axis);
        canvas.DrawText(title, plot.MidX - font.MeasureText(title) / 2, Top - 18, SKTextAlign.Left, font, ink);
        canvas.DrawText(xLabel, plot.MidX - font.MeasureText(xLabel) / 2, Height - 20, SKTextAlign.Left, font, ink);
        canvas.Save();
        canvas.RotateDegrees(-90, 22, plot.MidY);
        canvas.DrawText(yLabel, 22 - font.MeasureText(yLabel) / 2, plot.MidY, SKTextAlign.Left, font, ink);
        canvas.Restore();

        for (int s = 0; s < series.Count; s++)
        {
            using var line = new SKPaint { Color = DetectionPalette.ColorFor(s), StrokeWidth = 2.5f, Style = SKPaintStyle.Stroke, IsAntialias = true };
            using var path = new SKPath();
            bool started = false;
            for (int i = 0; i < Math.Min(series[s].X.Count, series[s].Y.Count); i++)
            {
                double x = series[s].X[i], y = series[s].Y[i];
                if (!double.IsFinite(x) || !double.IsFinite(y))
                    continue;
                if (started) path.LineTo(Px(x), Py(y)); else path.MoveTo(Px(x), Py(y));
                started = true;
            }
            canvas.Save();
            canvas.ClipRect(plot);
            canvas.DrawPath(path, line);
            canvas.Restore();
            float legendY = Top + 20 + s * 22;
            canvas.DrawLine(plot.Right + 15, legendY - 5, plot.Right + 40, legendY - 5, line);
            canvas.DrawText(series[s].Name, plot.Right + 46, legendY, SKTextAlign.Left, font, ink);
        }
        return bitmap;
    }

    // About five ticks at 1, 2 or 5 times a power of ten.
    static IEnumerable<double> Ticks(double min, double max)
    {
        double raw = (max - min) / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 5, 10 }.Select(f => f * magnitude).First(s => s >= raw);
        for (double t = Math.Ceiling(min / step) * step; t <= max + step * 1e-9; t += step)
            yield return Math.Round(t / step) * step;
    }

    static string Format(double value) => value.ToString(Math.Abs(value) >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture);
}
