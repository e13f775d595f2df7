using System.Buffers.Binary;

namespace Detr.MLNet.Imaging;

/// <summary>
/// An image's format and pixel size as its file header claims them, read without decoding a pixel, so that a file
/// claiming an enormous size can be refused before a decoder allocates for it.
/// </summary>
/// <param name="Format">The format the signature names.</param>
/// <param name="Width">Claimed width in pixels.</param>
/// <param name="Height">Claimed height in pixels.</param>
public readonly record struct ImageHeader(ImageFormat Format, int Width, int Height)
{
    // A JPEG's size sits after its APPn segments (EXIF thumbnails, ICC profiles); this bounds how far we look for it.
    const long MaxJpegHeaderBytes = 16 << 20;

    /// <summary>Width × height, without overflow.</summary>
    public long PixelCount => (long)Width * Height;

    /// <summary>
    /// Reads the header at the stream's current position (the stream must be seekable; it is left somewhere after
    /// the header). Null when the signature is none of <see cref="ImageFormat"/>'s; <see cref="InvalidDataException"/>
    /// when the signature is known but the header is cut short or malformed.
    /// </summary>
    public static ImageHeader? Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> head = stackalloc byte[30];
        int count = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var bytes = head[..count];
        if (bytes.StartsWith(PngSignature))
            return Png(bytes);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8]))
        {
            stream.Seek(2 - count, SeekOrigin.Current);
            return Jpeg(stream);
        }
        if (bytes.StartsWith("BM"u8))
            return Bmp(bytes);
        if (bytes.StartsWith("GIF87a"u8) || bytes.StartsWith("GIF89a"u8))
            return Gif(bytes, stream);
        if (bytes.StartsWith("RIFF"u8) && bytes.Length >= 12 && bytes[8..12].SequenceEqual("WEBP"u8))
            return WebP(bytes);
        return null;
    }

    /// <summary>The 8 bytes every PNG file starts with.</summary>
    internal static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    static ImageHeader Png(ReadOnlySpan<byte> bytes)
    {
        // Signature, then the IHDR chunk: length (13), "IHDR", width, height (big-endian, 1..2^31-1).
        if (bytes.Length < 24 || !bytes[12..16].SequenceEqual("IHDR"u8))
            throw new InvalidDataException("a PNG signature without an IHDR chunk after it");
        return Sized(ImageFormat.Png, BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]));
    }

    static ImageHeader Jpeg(Stream stream)
    {
        Span<byte> segment = stackalloc byte[8];
        while (stream.Position < MaxJpegHeaderBytes)
        {
            int marker = JpegMarkers.Next(stream);
            if (marker < 0)
                throw new InvalidDataException("a JPEG that ends before its frame header (no SOF marker)");
            if (JpegMarkers.IsStandalone(marker))
                continue;
            if (marker is JpegMarkers.StartOfScan or JpegMarkers.EndOfImage)
                throw new InvalidDataException("a JPEG whose scan starts before any frame header (no SOF marker)");
            if (stream.ReadAtLeast(segment[..2], 2, throwOnEndOfStream: false) < 2)
                throw new InvalidDataException("a JPEG that ends inside a marker segment");
            int length = BinaryPrimitives.ReadUInt16BigEndian(segment);
            if (length < 2)
                throw new InvalidDataException($"a JPEG marker segment of length {length}");
            if (JpegMarkers.IsStartOfFrame(marker))
            {
                // SOFn: precision (1 byte), height, width (big-endian 16-bit).
                if (length < 7 || stream.ReadAtLeast(segment[..5], 5, throwOnEndOfStream: false) < 5)
                    throw new InvalidDataException("a JPEG frame header cut short");
                int height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
                if (height == 0)
                    throw new InvalidDataException("a JPEG whose height is deferred to a DNL marker (not supported)");
                return Sized(ImageFormat.Jpeg, (uint)width, (uint)height);
            }
            stream.Seek(length - 2, SeekOrigin.Current);
        }
        throw new InvalidDataException($"a JPEG with no frame header in its first {MaxJpegHeaderBytes >> 20} MB");
    }

    static ImageHeader Bmp(ReadOnlySpan<byte> bytes)
    {
        // 14-byte file header, then the DIB header: its size says which layout follows.
        if (bytes.Length < 26)
            throw new InvalidDataException("a BMP header cut short");
        uint dibSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[14..]);
        if (dibSize == 12)
            return Sized(ImageFormat.Bmp, BinaryPrimitives.ReadUInt16LittleEndian(bytes[18..]), BinaryPrimitives.ReadUInt16LittleEndian(bytes[20..]));
        if (dibSize < 40)
            throw new InvalidDataException($"a BMP with an unknown {dibSize}-byte DIB header");
        int width = BinaryPrimitives.ReadInt32LittleEndian(bytes[18..]);
        int height = BinaryPrimitives.ReadInt32LittleEndian(bytes[22..]);
        // A negative height means rows are stored top-down; the size is its magnitude.
        if (width <= 0 || height == int.MinValue)
            throw new InvalidDataException($"a BMP claiming {width}x{height} pixels");
        return Sized(ImageFormat.Bmp, (uint)width, (uint)Math.Abs(height));
    }

    static ImageHeader Gif(ReadOnlySpan<byte> bytes, Stream stream)
    {
        if (bytes.Length < 13)
            throw new InvalidDataException("a GIF header cut short");
        uint width = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]);
        uint height = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
        // A first frame reaching past the logical screen enlarges the canvas decoders allocate (SkiaSharp's does).
        stream.Position = 13;
        if (GifBlocks.SkipColorTable(stream, bytes[10]) && GifBlocks.FirstFrameExtent(stream) is var (right, bottom))
            (width, height) = (Math.Max(width, (uint)right), Math.Max(height, (uint)bottom));
        return Sized(ImageFormat.Gif, width, height);
    }

    static ImageHeader WebP(ReadOnlySpan<byte> bytes)
    {
        // RIFF header (12 bytes), then the first chunk: fourcc, size, data (10 bytes hold every size field).
        if (bytes.Length < 25 || (bytes.Length < 30 && !bytes[12..16].SequenceEqual("VP8L"u8)))
            throw new InvalidDataException("a WebP header cut short");
        var fourcc = bytes[12..16];
        var data = bytes[20..];
        if (fourcc.SequenceEqual("VP8 "u8))
        {
            // Frame tag (3 bytes), start code 9D 01 2A, then 14-bit width and height (2 scale bits above each).
            if (data[3] != 0x9D || data[4] != 0x01 || data[5] != 0x2A)
                throw new InvalidDataException("a lossy WebP without the VP8 start code");
            return Sized(ImageFormat.WebP, BinaryPrimitives.ReadUInt16LittleEndian(data[6..]) & 0x3FFFu,
                BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) & 0x3FFFu);
        }
        if (fourcc.SequenceEqual("VP8L"u8))
        {
            // Signature 0x2F, then width-1 and height-1 in 14 bits each, little-endian bit order.
            if (data[0] != 0x2F)
                throw new InvalidDataException("a lossless WebP without the VP8L signature");
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(data[1..]);
            return Sized(ImageFormat.WebP, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
        }
        if (fourcc.SequenceEqual("VP8X"u8))
        {
            // Flags (4 bytes), then canvas width-1 and height-1 in 24 bits each.
            uint width = data[4] | (uint)data[5] << 8 | (uint)data[6] << 16;
            uint height = data[7] | (uint)data[8] << 8 | (uint)data[9] << 16;
            return Sized(ImageFormat.WebP, width + 1, height + 1);
        }
        throw new InvalidDataException($"a WebP whose first chunk is '{System.Text.Encoding.ASCII.GetString(fourcc)}', not VP8, VP8L or VP8X");
    }

    static ImageHeader Sized(ImageFormat format, uint width, uint height)
    {
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
            throw new InvalidDataException($"a {format} header claiming {width}x{height} pixels");
        return new ImageHeader(format, (int)width, (int)height);
    }
}
