using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Detr.MLNet.Imaging;

/// <summary>
/// Walks an image file's container structure (PNG chunks, JPEG markers and scans, GIF blocks, BMP pixel array, WebP
/// RIFF chunks) without decoding it. SkiaSharp decodes a cut-off file into a partly blank picture and calls it
/// <c>IncompleteInput</c>, which ML.NET's <c>LoadImages</c> accepts silently; this finds such files first.
/// </summary>
static class ImageIntegrity
{
    /// <summary>What is wrong with the file (for a message), or null when its structure is whole.</summary>
    public static string? FindDamage(Stream stream, ImageFormat format)
    {
        stream.Position = 0;
        return format switch
        {
            ImageFormat.Png => Png(stream),
            ImageFormat.Jpeg => Jpeg(stream),
            ImageFormat.Bmp => Bmp(stream),
            ImageFormat.Gif => Gif(stream),
            ImageFormat.WebP => WebP(stream),
            _ => null,
        };
    }

    static string? Png(Stream stream)
    {
        Span<byte> field = stackalloc byte[8];
        stream.Position = 8;
        bool sawData = false;
        while (true)
        {
            if (stream.ReadAtLeast(field, 8, throwOnEndOfStream: false) < 8)
                return "the file ends before the PNG's IEND chunk (truncated)";
            uint length = BinaryPrimitives.ReadUInt32BigEndian(field);
            var type = field[4..8];
            foreach (byte c in type)
                if (!char.IsAsciiLetter((char)c))
                    return $"a PNG chunk at byte {stream.Position - 8} has no valid type (corrupt)";
            string name = Encoding.ASCII.GetString(type);
            if (length > int.MaxValue)
                return $"PNG chunk {name} claims {length} bytes (corrupt)";
            long remaining = stream.Length - stream.Position;
            if (length + 4L > remaining)
                return $"the file ends inside the PNG's {name} chunk, {Math.Max(0, remaining - 4)} of its {length} bytes present (truncated)";
            // Critical chunks (upper-case first letter) are checked as libpng checks them; a bad ancillary chunk
            // is only dropped by decoders, so it is skipped here too.
            if ((type[0] & 0x20) == 0)
            {
                if (Crc(stream, type, (int)length) != ReadUInt32(stream))
                    return $"PNG chunk {name} fails its CRC check (corrupt data)";
            }
            else
                stream.Seek(length + 4L, SeekOrigin.Current);
            if (name == "IDAT")
                sawData = true;
            else if (name == "IEND")
                return sawData ? null : "the PNG has no IDAT chunk (no image data)";
        }
    }

    static uint Crc(Stream stream, ReadOnlySpan<byte> type, int length)
    {
        uint crc = Crc32.Append(0, type);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(length, 1 << 16) + 1);
        try
        {
            while (length > 0)
            {
                int count = stream.Read(buffer, 0, Math.Min(length, buffer.Length));
                crc = Crc32.Append(crc, buffer.AsSpan(0, count));
                length -= count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return crc;
    }

    static uint ReadUInt32(Stream stream)
    {
        Span<byte> bytes = stackalloc byte[4];
        stream.ReadExactly(bytes);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    static string? Jpeg(Stream stream)
    {
        Span<byte> field = stackalloc byte[2];
        stream.Position = 2;
        bool sawScan = false;
        int marker = JpegMarkers.Next(stream);
        while (true)
        {
            if (marker < 0)
                return sawScan ? "the file ends before the JPEG's end-of-image marker (truncated)" : "the file ends before the JPEG's first scan (truncated)";
            if (marker == JpegMarkers.EndOfImage)
                return sawScan ? null : "the JPEG ends before any scan (no image data)";
            if (JpegMarkers.IsStandalone(marker))
            {
                marker = JpegMarkers.Next(stream);
                continue;
            }
            if (stream.ReadAtLeast(field, 2, throwOnEndOfStream: false) < 2)
                return $"the file ends inside a JPEG marker segment (0xFF{marker:X2}) (truncated)";
            int length = BinaryPrimitives.ReadUInt16BigEndian(field);
            if (length < 2)
                return $"JPEG marker 0xFF{marker:X2} has length {length} (corrupt)";
            if (length - 2 > stream.Length - stream.Position)
                return $"the file ends inside a JPEG marker segment (0xFF{marker:X2}) (truncated)";
            stream.Seek(length - 2, SeekOrigin.Current);
            if (marker == JpegMarkers.StartOfScan)
            {
                sawScan = true;
                marker = JpegMarkers.SkipEntropyCodedData(stream);
                if (marker < 0)
                    return "the file ends inside the JPEG's compressed data (truncated)";
            }
            else
                marker = JpegMarkers.Next(stream);
        }
    }

    static string? Bmp(Stream stream)
    {
        Span<byte> header = stackalloc byte[34];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            return "the BMP header is cut short (truncated)";
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[10..]);
        bool core = BinaryPrimitives.ReadUInt32LittleEndian(header[14..]) == 12;
        long width = core ? BinaryPrimitives.ReadUInt16LittleEndian(header[18..]) : BinaryPrimitives.ReadInt32LittleEndian(header[18..]);
        long height = Math.Abs(core ? BinaryPrimitives.ReadUInt16LittleEndian(header[20..]) : (long)BinaryPrimitives.ReadInt32LittleEndian(header[22..]));
        int bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(header[core ? 24.. : 28..]);
        uint compression = core ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(header[30..]);
        if (pixelOffset >= stream.Length)
            return $"the BMP's pixel data would start at byte {pixelOffset} but the file has {stream.Length} (truncated)";
        // Run-length encoded: RLE8, RLE4, and OS/2's RLE24 (compression 4 at 24 bits), which SkiaSharp also reads.
        int rleBytesPerRun = (compression, bitsPerPixel) switch { (1, 8) => 1, (2, 4) => 1, (4, 24) => 3, _ => 0 };
        if (rleBytesPerRun > 0)
        {
            stream.Position = pixelOffset;
            return RunLengthEncoded(stream, rleBytesPerRun, bitsPerPixel, height) ? null : "the file ends inside the BMP's run-length encoded pixels (truncated)";
        }
        if (compression is not (0 or 3 or 6))
            return $"the BMP uses compression {compression} at {bitsPerPixel} bits per pixel, which no decoder here reads (corrupt or unsupported)";
        // Uncompressed rows (BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS) are padded to 4 bytes; their total is known.
        long needed = pixelOffset + (width * bitsPerPixel + 31) / 32 * 4 * height;
        return stream.Length < needed ? $"the BMP's pixel data needs {needed} bytes but the file has {stream.Length} (truncated)" : null;
    }

    // Whether the run-length stream reaches its end-of-bitmap code, or its last row, before the file ends.
    static bool RunLengthEncoded(Stream stream, int bytesPerRun, int bitsPerPixel, long height)
    {
        long row = 0;
        while (row < height)
        {
            int count = stream.ReadByte(), code = stream.ReadByte();
            if (code < 0)
                return false;
            if (count > 0)
            {
                // An encoded run: the code byte is its value; RLE24 has two more colour bytes.
                if (bytesPerRun == 3 && !stream.TrySkip(2))
                    return false;
                continue;
            }
            switch (code)
            {
                case 0:
                    row++;
                    break;
                case 1:
                    return true;
                case 2:
                    stream.ReadByte();
                    int down = stream.ReadByte();
                    if (down < 0)
                        return false;
                    row += down;
                    break;
                default:
                    // An absolute run of `code` pixels, padded to an even number of bytes.
                    long bytes = (code * (long)bitsPerPixel + 7) / 8;
                    if (!stream.TrySkip(bytes + (bytes & 1)))
                        return false;
                    break;
            }
        }
        return true;
    }


    static string? Gif(Stream stream)
    {
        stream.Position = 10;
        int flags = stream.ReadByte();
        if (flags < 0)
            return "the GIF header is cut short (truncated)";
        stream.Position = 13;
        if (!GifBlocks.SkipColorTable(stream, flags))
            return "the file ends inside the GIF's colour table (truncated)";
        int frames = 0;
        Span<byte> descriptor = stackalloc byte[9];
        while (true)
        {
            int block = stream.ReadByte();
            switch (block)
            {
                case GifBlocks.Trailer:
                    return frames > 0 ? null : "the GIF has no image (no frame before its trailer)";
                case GifBlocks.Extension:
                    if (stream.ReadByte() < 0 || !GifBlocks.SkipSubBlocks(stream))
                        return "the file ends inside a GIF extension block (truncated)";
                    break;
                case GifBlocks.ImageDescriptor:
                    if (stream.ReadAtLeast(descriptor, 9, throwOnEndOfStream: false) < 9)
                        return "the file ends inside a GIF image descriptor (truncated)";
                    if (!GifBlocks.SkipColorTable(stream, descriptor[8]))
                        return "the file ends inside a GIF colour table (truncated)";
                    if (stream.ReadByte() < 0 || !GifBlocks.SkipSubBlocks(stream))
                        return "the file ends inside a GIF frame's compressed data (truncated)";
                    frames++;
                    break;
                case < 0:
                    // Browsers and Skia accept a GIF that ends after a whole frame without its trailer.
                    return frames > 0 ? null : "the file ends before the GIF's first frame (truncated)";
                default:
                    return $"unknown GIF block 0x{block:X2} at byte {stream.Position - 1} (corrupt)";
            }
        }
    }

    static string? WebP(Stream stream)
    {
        Span<byte> field = stackalloc byte[8];
        stream.Position = 4;
        stream.ReadExactly(field[..4]);
        long end = 8L + BinaryPrimitives.ReadUInt32LittleEndian(field);
        if (end > stream.Length)
            return $"the WebP's RIFF header claims {end} bytes but the file has {stream.Length} (truncated)";
        stream.Position = 12;
        while (stream.Position < end)
        {
            if (end - stream.Position < 8)
                return "the WebP ends inside a chunk header (corrupt)";
            stream.ReadExactly(field);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(field[4..]);
            // Chunks are padded to an even length.
            if (stream.Position + size > end)
                return $"WebP chunk '{Encoding.ASCII.GetString(field[..4])}' claims {size} bytes past the end of the file (truncated)";
            stream.Position = Math.Min(end, stream.Position + size + (size & 1));
        }
        return null;
    }
}
