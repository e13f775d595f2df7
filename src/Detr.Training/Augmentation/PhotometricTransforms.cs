using Detr.MLNet.Imaging;

namespace Detr.Training.Augmentation;

/// <summary>
/// Colour transforms that leave the boxes where they are (torchvision's ColorJitter without hue): each blends the image
/// with a grey version of itself. Deterministic given their factors; randomness lives in <see cref="DetrTrainAugmentation"/>.
/// </summary>
public static class PhotometricTransforms
{
    /// <summary>
    /// Brightness, then contrast, then saturation, each by its factor (1 leaves the image unchanged): brightness
    /// scales every channel, contrast blends with the image's mean grey, saturation with each pixel's own grey.
    /// </summary>
    public static RgbImage AdjustColors(RgbImage image, double brightness, double contrast, double saturation)
    {
        var source = image.Pixels;
        var pixels = new byte[source.Length];
        double meanGrey = 0;
        for (int i = 0; i < source.Length; i += 3)
            meanGrey += Grey(Bright(source[i]), Bright(source[i + 1]), Bright(source[i + 2]));
        meanGrey /= Math.Max(1, source.Length / 3);
        for (int i = 0; i < source.Length; i += 3)
        {
            double r = Contrast(Bright(source[i])), g = Contrast(Bright(source[i + 1])), b = Contrast(Bright(source[i + 2]));
            double grey = Grey(r, g, b);
            pixels[i] = ToByte(grey + (r - grey) * saturation);
            pixels[i + 1] = ToByte(grey + (g - grey) * saturation);
            pixels[i + 2] = ToByte(grey + (b - grey) * saturation);
        }
        return image with { Pixels = pixels };

        double Bright(byte value) => Math.Min(255, value * brightness);
        double Contrast(double value) => Math.Clamp(meanGrey + (value - meanGrey) * contrast, 0, 255);
    }

    // ITU-R 601 luma, the weights torchvision's rgb_to_grayscale uses.
    static double Grey(double r, double g, double b) => 0.299 * r + 0.587 * g + 0.114 * b;

    static byte ToByte(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);
}
