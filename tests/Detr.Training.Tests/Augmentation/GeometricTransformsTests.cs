using Detr.MLNet.Imaging;
using Detr.Training.Augmentation;

namespace Detr.Training.Tests.Augmentation;

public class GeometricTransformsTests
{
    // A 40x20 grey image with one red rectangle covering x 10..20, y 4..12 (box [10,4,20,12]).
    static DetectionSample RedRectangle()
    {
        var pixels = new byte[40 * 20 * 3];
        Array.Fill(pixels, (byte)128);
        for (int y = 4; y < 12; y++)
            for (int x = 10; x < 20; x++)
            {
                int i = (y * 40 + x) * 3;
                (pixels[i], pixels[i + 1], pixels[i + 2]) = (255, 0, 0);
            }
        return new DetectionSample(new RgbImage(pixels, 40, 20), [10, 4, 20, 12], [3]);
    }

    static bool IsRed(RgbImage image, int x, int y)
    {
        int i = (y * image.Width + x) * 3;
        return image.Pixels[i] > 200 && image.Pixels[i + 1] < 60;
    }

    [Fact]
    public void FlipMirrorsPixelsAndBoxes()
    {
        var flipped = GeometricTransforms.HorizontalFlip(RedRectangle());
        // x0' = 40 - 20 = 20, x1' = 40 - 10 = 30.
        Assert.Equal(new float[] { 20, 4, 30, 12 }, flipped.Boxes);
        Assert.True(IsRed(flipped.Image, 20, 4) && IsRed(flipped.Image, 29, 11));
        Assert.False(IsRed(flipped.Image, 19, 4) || IsRed(flipped.Image, 30, 11));
    }

    [Fact]
    public void ResizeScalesBoxesWithTheImage()
    {
        // Short side 20 → 10: half size, 20x10.
        var resized = GeometricTransforms.Resize(RedRectangle(), 10, null);
        Assert.Equal((20, 10), (resized.Image.Width, resized.Image.Height));
        Assert.Equal(new float[] { 5, 2, 10, 6 }, resized.Boxes);
        Assert.True(IsRed(resized.Image, 7, 4));
    }

    [Fact]
    public void CropShiftsClipsAndDropsBoxes()
    {
        var sample = RedRectangle() with { Boxes = [10, 4, 20, 12, 30, 0, 38, 5], Labels = [3, 1] };
        // Crop x 15..35, y 2..17: the red box becomes [0,2,5,10]; the second box [15,0,20,3] stays clipped inside.
        var cropped = GeometricTransforms.Crop(sample, top: 2, left: 15, height: 15, width: 20);
        Assert.Equal(new float[] { 0, 2, 5, 10, 15, 0, 20, 3 }, cropped.Boxes);
        Assert.Equal(new[] { 3, 1 }, cropped.Labels);
        // Cropping away the red box entirely drops it and its label.
        var away = GeometricTransforms.Crop(sample, top: 12, left: 0, height: 8, width: 40);
        Assert.Empty(away.Labels);
        Assert.Empty(away.Boxes);
    }

    [Fact]
    public void RandomAugmentationKeepsBoxesOnTheirPixelsAndIsSeeded()
    {
        var options = DetrAugmentationOptions.ScaledTo(40);
        var first = new DetrTrainAugmentation(options, new Random(7));
        var second = new DetrTrainAugmentation(options, new Random(7));
        for (int i = 0; i < 30; i++)
        {
            var a = first.Apply(RedRectangle());
            var b = second.Apply(RedRectangle());
            Assert.Equal(a.Boxes, b.Boxes);
            Assert.Equal(a.Image.Pixels, b.Image.Pixels);
            if (a.Count == 0)
                continue;
            // The centre of the transformed box is still red.
            int cx = (int)((a.Boxes[0] + a.Boxes[2]) / 2), cy = (int)((a.Boxes[1] + a.Boxes[3]) / 2);
            Assert.True(IsRed(a.Image, cx, cy), $"draw {i}: box [{string.Join(",", a.Boxes)}] not on red");
            Assert.InRange(Math.Min(a.Image.Width, a.Image.Height), 8, 40);
        }
    }

    [Fact]
    public void ScaleJitterKeepsTheImageWithinItsSizeAndTheBoxesOnTheirPixels()
    {
        var options = DetrAugmentationOptions.FlipOnly(20) with { ScaleJitterMin = 0.5, ScaleJitterMax = 2 };
        var augmentation = new DetrTrainAugmentation(options, new Random(3));
        bool sawSmaller = false, sawCropped = false;
        for (int i = 0; i < 40; i++)
        {
            var a = augmentation.Apply(RedRectangle());
            Assert.InRange(a.Image.Width, 20, 40);
            Assert.InRange(a.Image.Height, 10, 20);
            sawSmaller |= a.Image.Height < 20;
            sawCropped |= a.Image.Height == 20 && a.Count == 1 && a.Boxes[2] - a.Boxes[0] > 10;
            if (a.Count == 0)
                continue;
            int cx = (int)((a.Boxes[0] + a.Boxes[2]) / 2), cy = (int)((a.Boxes[1] + a.Boxes[3]) / 2);
            Assert.True(IsRed(a.Image, cx, cy), $"draw {i}: box [{string.Join(",", a.Boxes)}] not on red");
        }
        Assert.True(sawSmaller && sawCropped, "the factors should both shrink and grow the image");
    }

    [Fact]
    public void ScaledOptionsFollowTheReferenceRatios()
    {
        var scaled = DetrAugmentationOptions.ScaledTo(400); // half of 800
        Assert.Equal(240, scaled.Scales[0]);
        Assert.Equal(400, scaled.Scales[^1]);
        // 1333/2 = 666.5 rounds to even: 666.
        Assert.Equal((192, 300, 666), (scaled.CropMin, scaled.CropMax, scaled.MaxSize));
    }
}
