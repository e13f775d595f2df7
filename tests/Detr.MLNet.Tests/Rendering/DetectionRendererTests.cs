using Detr.MLNet.Imaging;
using Detr.MLNet.Rendering;
using SkiaSharp;

namespace Detr.MLNet.Tests.Rendering;

public class DetectionRendererTests
{
    static RgbImage Grey(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, (byte)128);
        return new RgbImage(pixels, width, height);
    }

    [Fact]
    public void DrawsTheClassColourOnTheBoxEdgesAndLeavesTheInsideAlone()
    {
        var box = new DrawnBox(40, 60, 140, 160, ClassId: 2, Label: "triangle", Score: 0.87f);
        using var bitmap = DetectionRenderer.Render(Grey(200, 200), [box]);
        var colour = DetectionPalette.ColorFor(2);
        // Middle of each edge is the class colour.
        Assert.Equal(colour, bitmap.GetPixel(90, 60));
        Assert.Equal(colour, bitmap.GetPixel(90, 160));
        Assert.Equal(colour, bitmap.GetPixel(40, 110));
        Assert.Equal(colour, bitmap.GetPixel(140, 110));
        // The interior and the far corner keep the image.
        Assert.Equal(new SKColor(128, 128, 128), bitmap.GetPixel(90, 110));
        Assert.Equal(new SKColor(128, 128, 128), bitmap.GetPixel(190, 190));
        // The caption tab sits above the box in the class colour.
        Assert.Equal(colour, bitmap.GetPixel(41, 50));
    }

    [Fact]
    public void SideBySidePutsPredictionsRightOfGroundTruthAndSavesPng()
    {
        using var folder = new TempFolder();
        var image = Grey(100, 80);
        using var both = DetectionRenderer.SideBySide(image, [new DrawnBox(10, 30, 50, 70, 0, "circle")],
            [new DrawnBox(10, 30, 50, 70, 1, "square", 0.5f)]);
        Assert.Equal((208, 80), (both.Width, both.Height));
        Assert.Equal(DetectionPalette.ColorFor(0), both.GetPixel(30, 70));
        Assert.Equal(DetectionPalette.ColorFor(1), both.GetPixel(108 + 30, 70));
        string path = Path.Combine(folder.Path, "both.png");
        DetectionRenderer.SavePng(both, path);
        using var decoded = SKBitmap.Decode(path);
        Assert.Equal(both.GetPixel(138, 70), decoded.GetPixel(138, 70));
    }

    [Fact]
    public void TextColourContrastsWithTheTab()
    {
        Assert.Equal(SKColors.Black, DetectionPalette.TextOn(SKColors.Yellow));
        Assert.Equal(SKColors.White, DetectionPalette.TextOn(SKColors.DarkBlue));
    }
}
