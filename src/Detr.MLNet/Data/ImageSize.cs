using Microsoft.ML.Data;

namespace Detr.MLNet.Data;

/// <summary>Reads an image's pixel size (formats whose labels are relative need it).</summary>
static class ImageSize
{
    public static (int Width, int Height) Read(string path)
    {
        try
        {
            using var image = MLImage.CreateFromFile(path);
            return (image.Width, image.Height);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            throw new InvalidDataException($"Cannot read image '{path}': {e.Message}", e);
        }
    }
}
