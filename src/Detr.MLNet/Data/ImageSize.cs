using Detr.MLNet.Imaging;
using SkiaSharp;

namespace Detr.MLNet.Data;

/// <summary>Reads an image's pixel size (formats whose labels are relative need it) from its header, without decoding it.</summary>
static class ImageSize
{
    public static (int Width, int Height) Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            if (ImageHeader.Read(stream) is { } header)
                return (header.Width, header.Height);
            // Formats the header reader does not know: SkiaSharp's codec also reads only the header.
            using var codec = SKCodec.Create(path)
                ?? throw new InvalidDataException("not an image format SkiaSharp can decode");
            return (codec.Info.Width, codec.Info.Height);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"Cannot read image '{path}': {e.Message}", e);
        }
    }
}
