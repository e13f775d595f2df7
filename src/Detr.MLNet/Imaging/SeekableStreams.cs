namespace Detr.MLNet.Imaging;

/// <summary>Moving over parts of a file whose structure is being walked.</summary>
static class SeekableStreams
{
    /// <summary>Seeks <paramref name="count"/> bytes ahead; false (not moving) when the file ends first.</summary>
    public static bool TrySkip(this Stream stream, long count)
    {
        if (count > stream.Length - stream.Position)
            return false;
        stream.Seek(count, SeekOrigin.Current);
        return true;
    }
}
