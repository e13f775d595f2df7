using Detr.MLNet.Imaging;
using Detr.Training.Augmentation;

namespace Detr.Training.Tests.Augmentation;

public class PhotometricTransformsTests
{
    // Two pixels: pure red (255,0,0) and mid grey (100,100,100).
    static RgbImage RedAndGrey() => new([255, 0, 0, 100, 100, 100], 2, 1);

    [Fact]
    public void FactorsOfOneLeaveTheImageUnchanged()
    {
        var image = RedAndGrey();
        Assert.Equal(image.Pixels, PhotometricTransforms.AdjustColors(image, 1, 1, 1).Pixels);
    }

    [Fact]
    public void BrightnessScalesEveryChannelAndSaturatesAt255()
    {
        var brighter = PhotometricTransforms.AdjustColors(RedAndGrey(), 1.5, 1, 1);
        Assert.Equal(new byte[] { 255, 0, 0, 150, 150, 150 }, brighter.Pixels);
    }

    [Fact]
    public void ZeroSaturationGivesEachPixelsGrey()
    {
        // Red's luma: 0.299 * 255 = 76.2; grey stays grey.
        var grey = PhotometricTransforms.AdjustColors(RedAndGrey(), 1, 1, 0);
        Assert.Equal(new byte[] { 76, 76, 76, 100, 100, 100 }, grey.Pixels);
    }

    [Fact]
    public void ZeroContrastGivesTheMeanGreyEverywhere()
    {
        // Mean luma of the two pixels: (76.245 + 100) / 2 = 88.1.
        var flat = PhotometricTransforms.AdjustColors(RedAndGrey(), 1, 0, 1);
        Assert.All(flat.Pixels, value => Assert.Equal(88, value));
    }
}
