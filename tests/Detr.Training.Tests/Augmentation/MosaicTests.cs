using Detr.MLNet.Imaging;
using Detr.Training.Augmentation;

namespace Detr.Training.Tests.Augmentation;

public class MosaicTests
{
    // A 20x20 image of one colour with one 8x8 box at (6,6)-(14,14) labelled by the colour's index.
    static DetectionSample Tile(byte value, int label)
    {
        var pixels = new byte[20 * 20 * 3];
        Array.Fill(pixels, value);
        return new DetectionSample(new RgbImage(pixels, 20, 20), [6, 6, 14, 14], [label]);
    }

    static byte At(RgbImage image, int x, int y) => image.Pixels[(y * image.Width + x) * 3];

    [Fact]
    public void QuadrantsShowTheirTilesAndCarryTheirBoxes()
    {
        var tiles = new[] { Tile(10, 0), Tile(20, 1), Tile(30, 2), Tile(40, 3) };
        // Split at (10, 10); every tile shown from (0, 0): each quadrant holds its tile's top-left 10x10, where the
        // box (6,6)-(14,14) keeps its 4x4 corner, a quarter of its area.
        var mosaic = Mosaic.Combine(20, 20, 10, 10, tiles, [(0, 0), (0, 0), (0, 0), (0, 0)], minVisibleFraction: 0.2);
        Assert.Equal((10, 20, 30, 40), (At(mosaic.Image, 0, 0), At(mosaic.Image, 19, 0), At(mosaic.Image, 0, 19), At(mosaic.Image, 19, 19)));
        Assert.Equal(new[] { 0, 1, 2, 3 }, mosaic.Labels);
        Assert.Equal(new float[] { 6, 6, 10, 10, 16, 6, 20, 10, 6, 16, 10, 20, 16, 16, 20, 20 }, mosaic.Boxes);
    }

    [Fact]
    public void BoxesMostlyOutsideTheirQuadrantAreDropped()
    {
        var tiles = new[] { Tile(10, 0), Tile(20, 1), Tile(30, 2), Tile(40, 3) };
        // With a fraction of 0.3 the quarter-visible boxes all go.
        var mosaic = Mosaic.Combine(20, 20, 10, 10, tiles, [(0, 0), (0, 0), (0, 0), (0, 0)], minVisibleFraction: 0.3);
        Assert.Empty(mosaic.Labels);
        // Shown from (4, 4) on, the top-left tile's box lies whole inside its quadrant at (2,2)-(10,10).
        var shifted = Mosaic.Combine(20, 20, 10, 10, tiles, [(4, 4), (0, 0), (0, 0), (0, 0)], minVisibleFraction: 0.3);
        Assert.Equal(new float[] { 2, 2, 10, 10 }, shifted.Boxes);
    }

    [Fact]
    public void SmallTilesLeaveThePaddingGrey()
    {
        var small = new DetectionSample(new RgbImage(Enumerable.Repeat((byte)50, 5 * 5 * 3).ToArray(), 5, 5), [], []);
        var tiles = new[] { small, Tile(20, 1), Tile(30, 2), Tile(40, 3) };
        var mosaic = Mosaic.Combine(20, 20, 10, 10, tiles, [(0, 0), (0, 0), (0, 0), (0, 0)], minVisibleFraction: 0.2);
        Assert.Equal(50, At(mosaic.Image, 4, 4));
        Assert.Equal(Mosaic.Padding, At(mosaic.Image, 9, 9));
    }

    [Fact]
    public void MosaicDrawsAreSeededAndKeepBoxesOnTheirPixels()
    {
        var pool = Enumerable.Range(0, 6).Select(i => Tile((byte)(40 * i + 20), i)).ToArray();
        var options = DetrAugmentationOptions.FlipOnly(20) with { MosaicProbability = 1 };
        for (int seed = 0; seed < 20; seed++)
        {
            var a = new DetrTrainAugmentation(options, new Random(seed)).Apply(pool, seed % pool.Length);
            var b = new DetrTrainAugmentation(options, new Random(seed)).Apply(pool, seed % pool.Length);
            Assert.Equal(a.Image.Pixels, b.Image.Pixels);
            Assert.Equal(a.Boxes, b.Boxes);
            Assert.Equal((20, 20), (a.Image.Width, a.Image.Height));
            for (int i = 0; i < a.Count; i++)
            {
                int cx = (int)((a.Boxes[i * 4] + a.Boxes[i * 4 + 2]) / 2), cy = (int)((a.Boxes[i * 4 + 1] + a.Boxes[i * 4 + 3]) / 2);
                Assert.Equal(40 * a.Labels[i] + 20, At(a.Image, cx, cy));
            }
        }
    }
}
