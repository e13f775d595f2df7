using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace Detr.MLNet.Tests.Imaging;

/// <summary>Image files the tests build byte by byte: bombs, truncations, and small valid images of every format.</summary>
static class CraftedImages
{
    /// <summary>A real image of the given format, encoded by SkiaSharp (or, for BMP, written directly).</summary>
    public static byte[] Encode(SKEncodedImageFormat format, int width = 40, int height = 30, int seed = 1)
    {
        var rgba = Fixtures.DrawRgba(width, height, seed);
        using var image = SKImage.FromPixelCopy(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque), rgba);
        using var data = image.Encode(format, 90) ?? throw new InvalidOperationException($"SkiaSharp cannot encode {format} here.");
        return data.ToArray();
    }

    /// <summary>An uncompressed 24-bit BMP (SkiaSharp has no BMP encoder).</summary>
    public static byte[] Bmp(int width, int height)
    {
        int stride = (width * 3 + 3) / 4 * 4;
        var bytes = new byte[54 + stride * height];
        "BM"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        for (int i = 54; i < bytes.Length; i++)
            bytes[i] = (byte)(i * 7);
        return bytes;
    }

    /// <summary>A one-frame GIF of <paramref name="width"/>×<paramref name="height"/> (logical screen and frame), every pixel colour 0.</summary>
    public static byte[] Gif(ushort width, ushort height)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        Span<byte> screen = stackalloc byte[7];
        BinaryPrimitives.WriteUInt16LittleEndian(screen, width);
        BinaryPrimitives.WriteUInt16LittleEndian(screen[2..], height);
        screen[4] = 0x80; // global colour table of 2 entries
        gif.Write(screen);
        gif.Write([0, 0, 0, 255, 255, 255]);
        gif.WriteByte(0x2C);
        Span<byte> descriptor = stackalloc byte[9];
        BinaryPrimitives.WriteUInt16LittleEndian(descriptor[4..], width);
        BinaryPrimitives.WriteUInt16LittleEndian(descriptor[6..], height);
        gif.Write(descriptor);
        gif.WriteByte(2); // LZW minimum code size
        var data = LzwOfZeros((long)width * height);
        for (int i = 0; i < data.Length; i += 255)
        {
            int size = Math.Min(255, data.Length - i);
            gif.WriteByte((byte)size);
            gif.Write(data, i, size);
        }
        gif.WriteByte(0);
        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    // LZW at minimum code size 2 without a dictionary: a clear code (4) before each pixel keeps every code 3 bits wide.
    // Only a small image's worth: the huge headers of the bomb tests never reach the pixel data.
    static byte[] LzwOfZeros(long pixels)
    {
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        void Code(int code)
        {
            buffer |= code << bits;
            for (bits += 3; bits >= 8; bits -= 8, buffer >>= 8)
                bytes.Add((byte)buffer);
        }
        for (long p = 0; p < Math.Min(pixels, 1 << 16); p++)
        {
            Code(4);
            Code(0);
        }
        Code(5); // end of information
        if (bits > 0)
            bytes.Add((byte)buffer);
        return bytes.ToArray();
    }

    /// <summary>A WebP header of the given first-chunk kind (VP8, VP8L, VP8X) claiming a size; the payload is padding.</summary>
    public static byte[] WebPClaiming(string chunk, int width, int height)
    {
        var data = new byte[16];
        switch (chunk)
        {
            case "VP8 ":
                data[3] = 0x9D;
                data[4] = 0x01;
                data[5] = 0x2A;
                BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), (ushort)width);
                BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(8), (ushort)height);
                break;
            case "VP8L":
                data[0] = 0x2F;
                BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(1), (uint)(width - 1) | (uint)(height - 1) << 14);
                break;
            case "VP8X":
                data[4] = (byte)(width - 1);
                data[5] = (byte)((width - 1) >> 8);
                data[6] = (byte)((width - 1) >> 16);
                data[7] = (byte)(height - 1);
                data[8] = (byte)((height - 1) >> 8);
                data[9] = (byte)((height - 1) >> 16);
                break;
        }
        var bytes = new byte[20 + data.Length];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        "WEBP"u8.CopyTo(bytes.AsSpan(8));
        Encoding.ASCII.GetBytes(chunk).CopyTo(bytes, 12);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), data.Length);
        data.CopyTo(bytes, 20);
        return bytes;
    }

    /// <summary>A baseline JPEG header (SOI, APP0, SOF0) claiming a size, then a scan and EOI; only the header is meaningful.</summary>
    public static byte[] JpegClaiming(ushort width, ushort height)
    {
        using var jpeg = new MemoryStream();
        jpeg.Write([0xFF, 0xD8]);
        jpeg.Write([0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        jpeg.Write([0xFF, 0xC0, 0, 11, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0]);
        jpeg.Write([0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0x34, 0xFF, 0x00, 0x56]);
        jpeg.Write([0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="name"/> in <paramref name="folder"/>.</summary>
    public static string Write(string folder, string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The first <paramref name="fraction"/> of the bytes: a file cut off as an interrupted copy leaves it.</summary>
    public static byte[] Truncated(byte[] bytes, double fraction = 0.5) => bytes[..(int)(bytes.Length * fraction)];
}
