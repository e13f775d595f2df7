using Detr.MLNet.Preprocessing;

namespace Detr.MLNet.Tests.Preprocessing;

/// <summary>
/// The optimised resize (vectorised vertical pass, bounds-check-free horizontal pass, pooled buffers) must stay
/// bit-identical to a plain transcription of Pillow's algorithm on every size, not only the Pillow fixtures' sizes:
/// vector tails, single rows/columns, strong downscales with many taps, and DETR's 640×480 → 1066×800.
/// </summary>
public class PillowBilinearResizeEquivalenceTests
{
    public static TheoryData<int, int, int, int> Cases()
    {
        var cases = new TheoryData<int, int, int, int>
        {
            { 640, 480, 1066, 800 },  // DETR's typical upscale
            { 1600, 1200, 1066, 800 }, // DETR's typical downscale
            { 37, 5, 101, 7 },
            { 1, 1, 33, 17 },
            { 50, 1, 7, 3 },
            { 1, 50, 3, 7 },
            { 300, 40, 11, 40 },       // horizontal only, many taps
            { 40, 300, 40, 11 },       // vertical only, many taps
            { 13, 11, 13, 11 },        // copy
        };
        var random = new Random(7);
        for (int i = 0; i < 12; i++)
            cases.Add(random.Next(1, 120), random.Next(1, 120), random.Next(1, 120), random.Next(1, 120));
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EqualsThePlainTranscription(int sourceWidth, int sourceHeight, int width, int height)
    {
        var random = new Random(sourceWidth * 31 + sourceHeight);
        var source = new byte[sourceWidth * sourceHeight * 3];
        random.NextBytes(source);
        // Saturated stretches exercise the clipping at 0 and 255.
        source.AsSpan(0, source.Length / 8).Fill(255);
        source.AsSpan(source.Length / 2, source.Length / 8).Clear();

        var expected = new byte[width * height * 3];
        PlainPillowBilinear.Resize(source, sourceWidth, sourceHeight, expected, width, height);
        // A destination larger than needed must keep its tail untouched.
        var actual = new byte[width * height * 3 + 5];
        actual.AsSpan(width * height * 3).Fill(0xAB);
        PillowBilinearResize.Resize(source, sourceWidth, sourceHeight, actual, width, height);

        Assert.Equal(expected, actual[..expected.Length]);
        Assert.All(actual[expected.Length..], b => Assert.Equal(0xAB, b));
    }

    /// <summary>Pillow's ImagingResample for 8-bit RGB, written as plainly as possible (no vectors, no pooling).</summary>
    static class PlainPillowBilinear
    {
        const int PrecisionBits = 32 - 8 - 2;

        public static void Resize(byte[] source, int sourceWidth, int sourceHeight, byte[] destination, int width, int height)
        {
            var (xStart, xCount, xWeights, xStride) = Filter(sourceWidth, width);
            var (yStart, yCount, yWeights, yStride) = Filter(sourceHeight, height);
            // Pillow skips a pass whose size does not change; the vertical pass reads only the rows it needs.
            byte[] horizontal = source;
            int firstRow = 0;
            if (width != sourceWidth)
            {
                firstRow = height != sourceHeight ? yStart[0] : 0;
                int lastRow = height != sourceHeight ? yStart[height - 1] + yCount[height - 1] : sourceHeight;
                horizontal = new byte[width * (lastRow - firstRow) * 3];
                for (int y = firstRow; y < lastRow; y++)
                    for (int x = 0; x < width; x++)
                        for (int c = 0; c < 3; c++)
                        {
                            int sum = 1 << (PrecisionBits - 1);
                            for (int k = 0; k < xCount[x]; k++)
                                sum += source[(y * sourceWidth + xStart[x] + k) * 3 + c] * xWeights[x * xStride + k];
                            horizontal[((y - firstRow) * width + x) * 3 + c] = Clip(sum);
                        }
            }
            if (height == sourceHeight)
            {
                Array.Copy(horizontal, destination, width * height * 3);
                return;
            }
            for (int y = 0; y < height; y++)
                for (int i = 0; i < width * 3; i++)
                {
                    int sum = 1 << (PrecisionBits - 1);
                    for (int k = 0; k < yCount[y]; k++)
                        sum += horizontal[(yStart[y] - firstRow + k) * width * 3 + i] * yWeights[y * yStride + k];
                    destination[y * width * 3 + i] = Clip(sum);
                }
        }

        static byte Clip(int value) => value <= 0 ? (byte)0 : value >= 1 << PrecisionBits << 8 ? (byte)255 : (byte)(value >> PrecisionBits);

        static (int[] Start, int[] Count, int[] Weights, int Stride) Filter(int sourceSize, int outputSize)
        {
            double scale = (double)sourceSize / outputSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = filterScale;
            int stride = (int)Math.Ceiling(support) * 2 + 1;
            var start = new int[outputSize];
            var count = new int[outputSize];
            var weights = new int[outputSize * stride];
            for (int x = 0; x < outputSize; x++)
            {
                double center = (x + 0.5) * scale;
                int min = Math.Max((int)(center - support + 0.5), 0);
                int max = Math.Min((int)(center + support + 0.5), sourceSize) - min;
                var raw = new double[max];
                double total = 0;
                for (int k = 0; k < max; k++)
                {
                    double distance = Math.Abs((k + min - center + 0.5) / filterScale);
                    raw[k] = distance < 1 ? 1 - distance : 0;
                    total += raw[k];
                }
                for (int k = 0; k < max; k++)
                {
                    double w = total != 0 ? raw[k] / total : raw[k];
                    weights[x * stride + k] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
                }
                start[x] = min;
                count[x] = max;
            }
            return (start, count, weights, stride);
        }
    }
}
