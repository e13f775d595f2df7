using Detr.MLNet.Preprocessing;

namespace Detr.MLNet.Tests.Preprocessing;

public class ImageNetNormalizationTests
{
    [Fact]
    public void WritesPlanarNormalisedValuesInTheTopLeftCorner()
    {
        // One pixel (255, 0, 128) into a 2x2 slot: R = (1 - 0.485)/0.229, G = (0 - 0.456)/0.224, B = (128/255 - 0.406)/0.225.
        var slot = new float[3 * 2 * 2];
        ImageNetNormalization.ImageNet.WritePlanar([255, 0, 128], 1, 1, slot, 2, 2);
        Assert.Equal((1f - 0.485f) / 0.229f, slot[0], 6);
        Assert.Equal((0f - 0.456f) / 0.224f, slot[4], 6);
        Assert.Equal((128f / 255f - 0.406f) / 0.225f, slot[8], 6);
        Assert.Equal(2.2489083f, slot[0], 5);
        // Padding stays zero.
        Assert.Equal(0f, slot[1]);
        Assert.Equal(0f, slot[3]);
    }
}
