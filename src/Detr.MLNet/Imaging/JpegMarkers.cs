using System.Buffers;

namespace Detr.MLNet.Imaging;

/// <summary>JPEG marker syntax: finding the next marker, and skipping entropy-coded scan data to the marker after it.</summary>
static class JpegMarkers
{
    public const int StartOfScan = 0xDA;
    public const int EndOfImage = 0xD9;

    /// <summary>SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.</summary>
    public static bool IsStartOfFrame(int marker) => marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);

    /// <summary>Markers without a length field: RSTn, SOI and TEM.</summary>
    public static bool IsStandalone(int marker) => marker is (>= 0xD0 and <= 0xD7) or 0xD8 or 0x01;

    /// <summary>
    /// The next marker's code, the stream left just after it; -1 at the end of the file. Bytes before the 0xFF are
    /// skipped as libjpeg skips them (with a warning, not an error), and so are 0xFF fill bytes.
    /// </summary>
    public static int Next(Stream stream)
    {
        int b;
        do
            b = stream.ReadByte();
        while (b is >= 0 and not 0xFF);
        while (b == 0xFF)
            b = stream.ReadByte();
        return b;
    }

    /// <summary>
    /// Skips the entropy-coded data that follows a scan header, where 0xFF is followed by a stuffed 0x00 or a restart
    /// marker; returns the first other marker (the stream left just after it), or -1 when the file ends first.
    /// </summary>
    public static int SkipEntropyCodedData(Stream stream)
    {
        const int BlockSize = 64 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            bool afterFF = false;
            while (true)
            {
                long blockStart = stream.Position;
                int count = stream.Read(buffer, 0, BlockSize);
                if (count == 0)
                    return -1;
                for (int i = 0; i < count;)
                {
                    if (!afterFF)
                    {
                        int ff = buffer.AsSpan(i, count - i).IndexOf((byte)0xFF);
                        if (ff < 0)
                            break;
                        i += ff + 1;
                        afterFF = true;
                        continue;
                    }
                    byte b = buffer[i++];
                    if (b == 0xFF)
                        continue;
                    afterFF = false;
                    if (b == 0x00 || b is >= 0xD0 and <= 0xD7)
                        continue;
                    stream.Position = blockStart + i;
                    return b;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
