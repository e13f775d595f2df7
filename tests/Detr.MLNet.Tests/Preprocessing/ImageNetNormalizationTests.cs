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

    [Fact]
    public void EveryByteOfEveryChannelMatchesTheFloat32Formula()
    {
        // All 256 values in each channel, in a slot wider and taller than the image: bit-identical to ToTensor + Normalize.
        var normalization = ImageNetNormalization.ImageNet;
        var rgb = new byte[256 * 3];
        for (int v = 0; v < 256; v++)
            (rgb[3 * v], rgb[3 * v + 1], rgb[3 * v + 2]) = ((byte)v, (byte)(255 - v), (byte)(v * 7));
        var slot = new float[3 * 3 * 300];
        normalization.WritePlanar(rgb, 128, 2, slot, 3, 300);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 256; i++)
            {
                int y = i / 128, x = i % 128;
                float expected = (rgb[3 * i + c] / 255f - normalization.Mean[c]) / normalization.Std[c];
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(slot[c * 900 + y * 300 + x]));
                Assert.Equal(0f, slot[c * 900 + y * 300 + 128 + x % 100]); // right padding untouched
            }
        Assert.All(slot.AsSpan(600, 300).ToArray(), v => Assert.Equal(0f, v)); // bottom padding untouched
    }
}
