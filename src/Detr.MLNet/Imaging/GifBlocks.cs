using System.Buffers.Binary;

namespace Detr.MLNet.Imaging;

/// <summary>GIF block syntax: colour tables, data sub-block chains, and the first frame's place on the canvas.</summary>
static class GifBlocks
{
    public const int Extension = 0x21;
    public const int ImageDescriptor = 0x2C;
    public const int Trailer = 0x3B;

    /// <summary>Skips the colour table a packed-fields byte announces (bit 7 set: 3 × 2^(size+1) bytes); false when the file ends first.</summary>
    public static bool SkipColorTable(Stream stream, int packedFields) =>
        (packedFields & 0x80) == 0 || stream.TrySkip(3L << ((packedFields & 7) + 1));

    /// <summary>Skips a chain of data sub-blocks up to its zero-length terminator; false when the file ends first.</summary>
    public static bool SkipSubBlocks(Stream stream)
    {
        while (true)
        {
            int size = stream.ReadByte();
            if (size < 0)
                return false;
            if (size == 0)
                return true;
            if (!stream.TrySkip(size))
                return false;
        }
    }

    /// <summary>
    /// The right and bottom edges of the first frame (its descriptor's left + width, top + height), read from just
    /// after the global colour table; null when the file has no frame. Decoders enlarge the canvas to hold it.
    /// </summary>
    public static (int Right, int Bottom)? FirstFrameExtent(Stream stream)
    {
        Span<byte> descriptor = stackalloc byte[9];
        while (true)
        {
            switch (stream.ReadByte())
            {
                case Extension:
                    if (stream.ReadByte() < 0 || !SkipSubBlocks(stream))
                        return null;
                    break;
                case ImageDescriptor:
                    if (stream.ReadAtLeast(descriptor, 9, throwOnEndOfStream: false) < 9)
                        return null;
                    return (BinaryPrimitives.ReadUInt16LittleEndian(descriptor) + BinaryPrimitives.ReadUInt16LittleEndian(descriptor[4..]),
                        BinaryPrimitives.ReadUInt16LittleEndian(descriptor[2..]) + BinaryPrimitives.ReadUInt16LittleEndian(descriptor[6..]));
                default:
                    return null;
            }
        }
    }

}
