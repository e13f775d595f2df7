using SkiaSharp;

namespace Detr.MLNet.Rendering;

/// <summary>One distinct, saturated colour per class: hues spaced by the golden angle so neighbouring ids differ.</summary>
public static class DetectionPalette
{
    /// <summary>The colour of class <paramref name="classId"/>.</summary>
    public static SKColor ColorFor(int classId)
    {
        float hue = (classId * 137.508f) % 360f;
        return SKColor.FromHsv(hue, 85, 95);
    }

    /// <summary>Black or white, whichever reads better on <paramref name="background"/>.</summary>
    public static SKColor TextOn(SKColor background) =>
        0.299 * background.Red + 0.587 * background.Green + 0.114 * background.Blue > 150 ? SKColors.Black : SKColors.White;
}
