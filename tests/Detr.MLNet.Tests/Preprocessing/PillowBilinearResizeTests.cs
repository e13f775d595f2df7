using Detr.MLNet.Imaging;
using Detr.MLNet.Preprocessing;
using Detr.MLNet.Scoring;
using Microsoft.ML.Data;

namespace Detr.MLNet.Tests.Preprocessing;

public class PillowBilinearResizeTests
{
    static RgbImage Load(string name)
    {
        using var image = MLImage.CreateFromFile(Fixtures.Scoring(name));
        return RgbImage.FromMLImage(image);
    }

    [Theory]
    [InlineData(48, 30)]   // downscale both ways (antialiased support)
    [InlineData(160, 101)] // upscale both ways
    [InlineData(97, 61)]   // same size: a copy
    [InlineData(33, 80)]   // down horizontally, up vertically
    [InlineData(200, 20)]  // up horizontally, strongly down vertically
    public void EqualsPillowBitForBit(int width, int height)
    {
        var source = Load("resize_source.png");
        var expected = Load($"resize_bilinear_{width}x{height}.png");
        var actual = new byte[width * height * 3];
        PillowBilinearResize.Resize(source.Pixels, source.Width, source.Height, actual, width, height);
        Assert.Equal(expected.Pixels, actual);
    }

    [Fact]
    public void AveragesWhenHalving()
    {
        // 2x1 → 1x1: the widened triangle filter weighs both pixels equally: (10 + 30) / 2 = 20.
        byte[] source = [10, 10, 10, 30, 30, 30];
        var output = new byte[3];
        PillowBilinearResize.Resize(source, 2, 1, output, 1, 1);
        Assert.Equal(new byte[] { 20, 20, 20 }, output);
    }
}
