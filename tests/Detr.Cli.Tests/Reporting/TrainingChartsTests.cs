using Detr.Cli.Reporting;
using Detr.Training.Trainers;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Detr.Cli.Tests.Reporting;

public class TrainingChartsTests
{
    // ScottPlot's default palette (Category10), in the order series are added.
    static readonly SKColor[] Palette = [SKColor.Parse("#1f77b4"), SKColor.Parse("#ff7f0e"), SKColor.Parse("#2ca02c"), SKColor.Parse("#d62728"), SKColor.Parse("#9467bd")];

    static List<DetrTrainingProgress> History(int steps, int validateEvery)
    {
        var history = new List<DetrTrainingProgress>();
        for (int step = 1; step <= steps; step++)
        {
            double loss = 6 * Math.Exp(-step / 40.0) + 1;
            history.Add(new DetrTrainingProgress
            {
                Epoch = 1 + step / 25, Epochs = 8, Step = 1 + step % 25, StepsPerEpoch = 25, GlobalStep = step, Loss = loss,
                Terms = new Dictionary<string, double> { ["loss_ce"] = loss / 3, ["loss_bbox"] = loss / 5, ["loss_giou"] = loss / 4 },
                LearningRate = 1e-4, ImagesPerSecond = 10, Remaining = TimeSpan.Zero, SkippedSteps = 0,
            });
            if (validateEvery > 0 && step % validateEvery == 0)
                history.Add(history[^1] with { Validation = new Dictionary<string, double> { ["loss"] = loss * 1.2, ["AP"] = step / (2.0 * steps), ["AP50"] = step / (1.2 * steps) } });
        }
        return history;
    }

    static SKBitmap Saved(ScottPlot.Plot plot, string folder, string name)
    {
        string path = Path.Combine(folder, name);
        TrainingCharts.SavePng(plot, path);
        return SKBitmap.Decode(path);
    }

    static IReadOnlySet<SKColor> Colours(SKBitmap bitmap) => bitmap.Pixels.ToHashSet();

    [Fact]
    public void LossCurveIsAFullSizePictureWithEverySeries()
    {
        using var folder = new TempFolder();
        using var plot = TrainingCharts.LossCurve(History(200, validateEvery: 25));
        using var png = Saved(plot, folder.Path, "loss.png");

        Assert.Equal((TrainingCharts.Width, TrainingCharts.Height), (png.Width, png.Height));
        double inked = png.Pixels.Count(p => p != SKColors.White) / (double)png.Pixels.Length;
        Assert.InRange(inked, 0.03, 0.5); // axes, ticks, text and five lines on white: neither blank nor filled
        var colours = Colours(png);
        Assert.All(Palette, c => Assert.Contains(c, colours)); // loss, its three terms, validation loss
    }

    [Fact]
    public void ValidationCurveOnlyWhereTrainingValidated()
    {
        Assert.Null(TrainingCharts.ValidationCurve(History(50, validateEvery: 0)));
        using var folder = new TempFolder();
        using var plot = TrainingCharts.ValidationCurve(History(100, validateEvery: 25))!;
        using var png = Saved(plot, folder.Path, "validation.png");
        Assert.Equal((TrainingCharts.Width, TrainingCharts.Height), (png.Width, png.Height));
        var colours = Colours(png);
        Assert.Contains(Palette[0], colours);
        Assert.Contains(Palette[1], colours);
    }

    [Fact]
    public void ANonFiniteLossIsLeftOutOfTheChart()
    {
        var history = History(60, validateEvery: 0);
        history[30] = history[30] with { Loss = double.NaN };
        history[31] = history[31] with { Loss = double.PositiveInfinity };
        using var folder = new TempFolder();
        using var plot = TrainingCharts.LossCurve(history);
        using var png = Saved(plot, folder.Path, "loss.png");
        Assert.Contains(Palette[0], Colours(png));
    }

    [Fact]
    public void ChartsAndMLNetImagesShareTheProcess()
    {
        // ScottPlot and ML.NET's MLImage both run on SkiaSharp 3: one process draws a chart and round-trips an MLImage.
        using var folder = new TempFolder();
        var pixels = new byte[32 * 24 * 4];
        for (int i = 0; i < pixels.Length; i += 4)
            (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]) = (200, 100, 50, 255);
        using (var image = MLImage.CreateFromPixels(32, 24, MLPixelFormat.Bgra32, pixels))
            image.Save(Path.Combine(folder.Path, "image.png"));
        using var plot = TrainingCharts.LossCurve(History(40, validateEvery: 0));
        using var chart = Saved(plot, folder.Path, "loss.png");
        using var reloaded = MLImage.CreateFromFile(Path.Combine(folder.Path, "image.png"));
        Assert.Equal((32, 24), (reloaded.Width, reloaded.Height));
        Assert.Equal(pixels.Take(4), reloaded.Pixels.ToArray().Take(4));
        Assert.Contains(Palette[0], Colours(chart));
    }
}
