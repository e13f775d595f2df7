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
    /// <remarks>
    /// A byte has only 256 values, so each channel's <c>(v / 255 - mean) / std</c> is computed once into a table and
    /// the pixels are looked up in one pass: the same float32 operations give the same floats, without two divisions
    /// per value or three strided passes over the source.
    /// </remarks>
    public void WritePlanar(ReadOnlySpan<byte> rgb, int width, int height, Span<float> slot, int planeHeight, int planeWidth)
    {
        int plane = planeHeight * planeWidth;
        Span<float> table = stackalloc float[3 * 256];
        for (int c = 0; c < 3; c++)
            for (int v = 0; v < 256; v++)
                table[c * 256 + v] = Normalize(v, c);
        ReadOnlySpan<float> red = table[..256], green = table[256..512], blue = table[512..];
        for (int y = 0; y < height; y++)
        {
            var source = rgb.Slice(y * width * 3, width * 3);
            var r = slot.Slice(y * planeWidth, width);
            var g = slot.Slice(plane + y * planeWidth, width);
            var b = slot.Slice(2 * plane + y * planeWidth, width);
            for (int x = 0; x < r.Length; x++)
            {
                r[x] = red[source[3 * x]];
                g[x] = green[source[3 * x + 1]];
                b[x] = blue[source[3 * x + 2]];
            }
        }
    }

    // One channel value exactly as torchvision computes it: ToTensor's v/255, then Normalize, in float32.
    float Normalize(int value, int channel) => (value / 255f - Mean[channel]) / Std[channel];
}
