namespace Detr.MLNet.Preprocessing;

/// <summary>
/// Bilinear resize of 8-bit RGB pixels that reproduces Pillow's <c>Image.resize(..., BILINEAR)</c> bit for bit.
/// The DETR reference (torchvision transforms and transformers' image processor) resizes PIL images, so an exact
/// match here keeps scores identical to the reference. Pillow widens the triangle filter when downscaling
/// (antialiasing), runs a horizontal then a vertical pass with 8-bit rounding in between, and uses 22-bit fixed point.
/// </summary>
public static class PillowBilinearResize
{
    const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes interleaved RGB (3 bytes per pixel, no row padding) into <paramref name="destination"/>.</summary>
    public static void Resize(ReadOnlySpan<byte> source, int sourceWidth, int sourceHeight,
        Span<byte> destination, int width, int height)
    {
        if (source.Length < sourceWidth * sourceHeight * 3)
            throw new ArgumentException("Source is smaller than its stated size.", nameof(source));
        if (destination.Length < width * height * 3)
            throw new ArgumentException("Destination is smaller than the requested size.", nameof(destination));

        bool horizontal = width != sourceWidth;
        bool vertical = height != sourceHeight;
        if (!horizontal && !vertical)
        {
            source[..(width * height * 3)].CopyTo(destination);
            return;
        }

        var columns = FilterBank.Create(sourceWidth, width);
        var rows = FilterBank.Create(sourceHeight, height);

        if (!horizontal)
        {
            ResampleVertical(source, width, rows, 0, destination, height);
            return;
        }

        // Only the source rows the vertical pass will read are resampled horizontally.
        int firstRow = rows.Start[0];
        int lastRow = rows.Start[height - 1] + rows.Count[height - 1];
        int tempRows = lastRow - firstRow;
        byte[] temp = new byte[width * tempRows * 3];
        ResampleHorizontal(source, sourceWidth, firstRow, tempRows, columns, temp, width);
        if (!vertical)
        {
            temp.AsSpan(0, width * height * 3).CopyTo(destination);
            return;
        }
        ResampleVertical(temp, width, rows, firstRow, destination, height);
    }

    static void ResampleHorizontal(ReadOnlySpan<byte> source, int sourceWidth, int firstRow, int rowCount,
        FilterBank bank, Span<byte> destination, int width)
    {
        for (int y = 0; y < rowCount; y++)
        {
            var sourceRow = source.Slice((y + firstRow) * sourceWidth * 3, sourceWidth * 3);
            var destinationRow = destination.Slice(y * width * 3, width * 3);
            for (int x = 0; x < width; x++)
            {
                int start = bank.Start[x];
                var weights = bank.Weights.AsSpan(x * bank.Stride, bank.Count[x]);
                int r = 1 << (PrecisionBits - 1), g = r, b = r;
                for (int k = 0; k < weights.Length; k++)
                {
                    int offset = (start + k) * 3;
                    r += sourceRow[offset] * weights[k];
                    g += sourceRow[offset + 1] * weights[k];
                    b += sourceRow[offset + 2] * weights[k];
                }
                destinationRow[x * 3] = Clip8(r);
                destinationRow[x * 3 + 1] = Clip8(g);
                destinationRow[x * 3 + 2] = Clip8(b);
            }
        }
    }

    static void ResampleVertical(ReadOnlySpan<byte> source, int width, FilterBank bank, int rowShift,
        Span<byte> destination, int height)
    {
        int stride = width * 3;
        for (int y = 0; y < height; y++)
        {
            int start = bank.Start[y] - rowShift;
            var weights = bank.Weights.AsSpan(y * bank.Stride, bank.Count[y]);
            var destinationRow = destination.Slice(y * stride, stride);
            for (int i = 0; i < stride; i++)
            {
                int sum = 1 << (PrecisionBits - 1);
                for (int k = 0; k < weights.Length; k++)
                    sum += source[(start + k) * stride + i] * weights[k];
                destinationRow[i] = Clip8(sum);
            }
        }
    }

    static byte Clip8(int value)
    {
        if (value >= (1 << PrecisionBits << 8))
            return 255;
        if (value <= 0)
            return 0;
        return (byte)(value >> PrecisionBits);
    }

    /// <summary>Per output pixel: first source pixel, tap count and fixed-point weights.</summary>
    sealed class FilterBank
    {
        public required int[] Start { get; init; }
        public required int[] Count { get; init; }
        public required int[] Weights { get; init; }
        public required int Stride { get; init; }

        public static FilterBank Create(int sourceSize, int outputSize)
        {
            double scale = (double)sourceSize / outputSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = 1.0 * filterScale;
            int stride = (int)Math.Ceiling(support) * 2 + 1;
            var start = new int[outputSize];
            var count = new int[outputSize];
            var weights = new int[outputSize * stride];
            var raw = new double[stride];
            for (int x = 0; x < outputSize; x++)
            {
                double center = (x + 0.5) * scale;
                double inverse = 1.0 / filterScale;
                int min = Math.Max((int)(center - support + 0.5), 0);
                int max = Math.Min((int)(center + support + 0.5), sourceSize) - min;
                double total = 0;
                for (int k = 0; k < max; k++)
                {
                    double w = Triangle((k + min - center + 0.5) * inverse);
                    raw[k] = w;
                    total += w;
                }
                for (int k = 0; k < max; k++)
                {
                    double normalised = total != 0.0 ? raw[k] / total : raw[k];
                    weights[x * stride + k] = normalised < 0
                        ? (int)(-0.5 + normalised * (1 << PrecisionBits))
                        : (int)(0.5 + normalised * (1 << PrecisionBits));
                }
                start[x] = min;
                count[x] = max;
            }
            return new FilterBank { Start = start, Count = count, Weights = weights, Stride = stride };
        }

        static double Triangle(double x)
        {
            x = Math.Abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
