using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Detr.Tests.Shared;

/// <summary>PNG files built chunk by chunk, shared by the test projects: image bombs and cut-off files.</summary>
static class CraftedPng
{
    /// <summary>
    /// A valid PNG whose IHDR claims <paramref name="width"/>×<paramref name="height"/> (8-bit RGB) with a tiny IDAT:
    /// the shape of a decompression bomb, a couple of hundred bytes on disk.
    /// </summary>
    public static byte[] Claiming(uint width, uint height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            zlib.Write(new byte[1024]); // the first rows: filter byte 0 and black pixels
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>The first half of <paramref name="path"/>'s bytes written back: a file cut off as an interrupted copy leaves it.</summary>
    public static void Truncate(string path, double keep = 0.5)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
    }

    static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(field, data.Length);
        png.Write(field);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(field, BitwiseCrc32(typeAndData));
        png.Write(field);
    }

    // Bit by bit, unlike the library's table: an independent oracle for the checksums the tests write.
    static uint BitwiseCrc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
