using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

        // Only the source rows the vertical pass will read are resampled horizontally. The intermediate image is
        // large (1066×480×3 for DETR's usual upscale), so it comes from the pool rather than the large-object heap.
        int firstRow = rows.Start[0];
        int lastRow = rows.Start[height - 1] + rows.Count[height - 1];
        int tempRows = lastRow - firstRow;
        int tempLength = width * tempRows * 3;
        byte[] temp = ArrayPool<byte>.Shared.Rent(tempLength);
        try
        {
            ResampleHorizontal(source, sourceWidth, firstRow, tempRows, columns, temp.AsSpan(0, tempLength), width);
            if (!vertical)
                temp.AsSpan(0, width * height * 3).CopyTo(destination);
            else
                ResampleVertical(temp.AsSpan(0, tempLength), width, rows, firstRow, destination, height);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(temp);
        }
    }

    // Interleaved RGB makes each output pixel a short gather of 3-byte pixels, which does not vectorise well. What
    // costs in the plain loop is its varying tap count (a mispredicted branch per pixel when upscaling 640 → 1066) and
    // bounds checks on every tap, so this loop runs a fixed tap count over zero-padded weights (adding zeros leaves the
    // integer sums unchanged) and walks references. Every read stays inside the row: the padded bank keeps
    // Start[x] + Taps <= sourceWidth, and each row slice is bounds-checked once.
    static void ResampleHorizontal(ReadOnlySpan<byte> source, int sourceWidth, int firstRow, int rowCount,
        FilterBank bank, Span<byte> destination, int width)
    {
        var (padded, taps) = bank.PadToFixedTaps(sourceWidth);
        ref int weights = ref MemoryMarshal.GetArrayDataReference(padded.Weights);
        ref int starts = ref MemoryMarshal.GetArrayDataReference(padded.Start);
        for (int y = 0; y < rowCount; y++)
        {
            ref byte sourceRow = ref MemoryMarshal.GetReference(source.Slice((y + firstRow) * sourceWidth * 3, sourceWidth * 3));
            ref byte destinationRow = ref MemoryMarshal.GetReference(destination.Slice(y * width * 3, width * 3));
            for (int x = 0; x < width; x++)
            {
                ref byte pixel = ref Unsafe.Add(ref sourceRow, Unsafe.Add(ref starts, x) * 3);
                ref int weight = ref Unsafe.Add(ref weights, x * taps);
                int r = 1 << (PrecisionBits - 1), g = r, b = r;
                for (int k = 0; k < taps; k++)
                {
                    int w = Unsafe.Add(ref weight, k);
                    r += Unsafe.Add(ref pixel, k * 3) * w;
                    g += Unsafe.Add(ref pixel, k * 3 + 1) * w;
                    b += Unsafe.Add(ref pixel, k * 3 + 2) * w;
                }
                Unsafe.Add(ref destinationRow, x * 3) = Clip8(r);
                Unsafe.Add(ref destinationRow, x * 3 + 1) = Clip8(g);
                Unsafe.Add(ref destinationRow, x * 3 + 2) = Clip8(b);
            }
        }
    }

    // Every byte of an output row is the same weighted sum over a few whole source rows, so the pass runs along the
    // row in SIMD vectors: widen bytes to int32, multiply-add each tap's weight, then shift, clamp and narrow back.
    // Integer sums do not depend on order, so the result is bit-identical to the scalar loop (kept for the tail).
    static void ResampleVertical(ReadOnlySpan<byte> source, int width, FilterBank bank, int rowShift,
        Span<byte> destination, int height)
    {
        int stride = width * 3;
        int vectorEnd = Vector.IsHardwareAccelerated ? stride - stride % Vector<byte>.Count : 0;
        for (int y = 0; y < height; y++)
        {
            int start = bank.Start[y] - rowShift;
            var weights = bank.Weights.AsSpan(y * bank.Stride, bank.Count[y]);
            var taps = source.Slice(start * stride, weights.Length * stride);
            var destinationRow = destination.Slice(y * stride, stride);
            for (int i = 0; i < vectorEnd; i += Vector<byte>.Count)
                VerticalVector(taps, stride, weights, i, destinationRow);
            for (int i = vectorEnd; i < stride; i++)
            {
                int sum = 1 << (PrecisionBits - 1);
                for (int k = 0; k < weights.Length; k++)
                    sum += taps[k * stride + i] * weights[k];
                destinationRow[i] = Clip8(sum);
            }
        }
    }

    static void VerticalVector(ReadOnlySpan<byte> taps, int stride, ReadOnlySpan<int> weights, int offset, Span<byte> destinationRow)
    {
        var s0 = new Vector<int>(1 << (PrecisionBits - 1));
        Vector<int> s1 = s0, s2 = s0, s3 = s0;
        for (int k = 0; k < weights.Length; k++)
        {
            var bytes = new Vector<byte>(taps.Slice(k * stride + offset, Vector<byte>.Count));
            var w = new Vector<int>(weights[k]);
            Vector.Widen(bytes, out Vector<ushort> low, out Vector<ushort> high);
            Vector.Widen(low, out Vector<uint> a, out Vector<uint> b);
            Vector.Widen(high, out Vector<uint> c, out Vector<uint> d);
            s0 += Vector.AsVectorInt32(a) * w;
            s1 += Vector.AsVectorInt32(b) * w;
            s2 += Vector.AsVectorInt32(c) * w;
            s3 += Vector.AsVectorInt32(d) * w;
        }
        var packed = Vector.Narrow(Vector.Narrow(Clip8(s0), Clip8(s1)), Vector.Narrow(Clip8(s2), Clip8(s3)));
        packed.CopyTo(destinationRow.Slice(offset, Vector<byte>.Count));
    }

    // The same clamp on eight (or more) sums at once.
    static Vector<uint> Clip8(Vector<int> sums) =>
        Vector.AsVectorUInt32(Vector.Min(Vector.Max(Vector.ShiftRightArithmetic(sums, PrecisionBits), Vector<int>.Zero), new Vector<int>(255)));

    // Pillow's clip8 (0 for sums <= 0, 255 from 256 << PrecisionBits up, else sum >> PrecisionBits) equals clamping the
    // shifted sum to 0..255 for every int; the clamp compiles without branches.
    static byte Clip8(int value) => (byte)Math.Clamp(value >> PrecisionBits, 0, 255);

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

        /// <summary>
        /// The same filter with every output using exactly <c>Taps</c> (the largest count) consecutive inputs: weights
        /// are zero-padded, and near the end the window moves left with its weights shifted right, so
        /// <c>Start[x] + Taps &lt;= sourceSize</c> always holds. Sums are unchanged (the extra terms are zero).
        /// </summary>
        public (FilterBank Bank, int Taps) PadToFixedTaps(int sourceSize)
        {
            int outputSize = Start.Length;
            int taps = Count.Max();
            var start = new int[outputSize];
            var weights = new int[outputSize * taps];
            for (int x = 0; x < outputSize; x++)
            {
                int shift = Math.Max(Start[x] + taps - sourceSize, 0);
                start[x] = Start[x] - shift;
                Weights.AsSpan(x * Stride, Count[x]).CopyTo(weights.AsSpan(x * taps + shift));
            }
            var count = new int[outputSize];
            Array.Fill(count, taps);
            return (new FilterBank { Start = start, Count = count, Weights = weights, Stride = taps }, taps);
        }

        static double Triangle(double x)
        {
            x = Math.Abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
