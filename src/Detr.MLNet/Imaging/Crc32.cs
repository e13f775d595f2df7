namespace Detr.MLNet.Imaging;

/// <summary>CRC-32 (ISO-HDLC, the polynomial of PNG and zlib), table-driven.</summary>
static class Crc32
{
    static readonly uint[] Table = BuildTable();

    /// <summary>Continues <paramref name="crc"/> (start with 0) over <paramref name="bytes"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
    {
        crc = ~crc;
        foreach (byte b in bytes)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
