namespace Detr.MLNet.Preprocessing;

/// <summary>
/// Per-channel mean/std normalisation as torchvision's <c>ToTensor</c> then <c>Normalize</c>: value/255, minus mean,
/// divided by std, all in float32 so the numbers equal the reference's.
/// </summary>
public sealed record ImageNetNormalization(float[] Mean, float[] Std)
{
    /// <summary>ImageNet statistics used by every published DETR model.</summary>
    public static ImageNetNormalization ImageNet { get; } =
        new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>
    /// Writes interleaved RGB bytes (<paramref name="width"/>×<paramref name="height"/>) as planar CHW floats into
    /// the top-left corner of a <paramref name="planeHeight"/>×<paramref name="planeWidth"/> image slot.
    /// </summary>
    public void WritePlanar(ReadOnlySpan<byte> rgb, int width, int height, Span<float> slot, int planeHeight, int planeWidth)
    {
        int plane = planeHeight * planeWidth;
        for (int c = 0; c < 3; c++)
        {
            float mean = Mean[c], std = Std[c];
            var channel = slot.Slice(c * plane, plane);
            for (int y = 0; y < height; y++)
            {
                var row = channel.Slice(y * planeWidth, width);
                int source = y * width * 3 + c;
                for (int x = 0; x < width; x++, source += 3)
                    row[x] = (rgb[source] / 255f - mean) / std;
            }
        }
    }
}
