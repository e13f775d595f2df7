namespace Detr.MLNet.Imaging;

/// <summary>The image formats whose headers and structure Detr.MLNet reads itself, before any decoder runs.</summary>
public enum ImageFormat
{
    /// <summary>PNG (IHDR gives the size).</summary>
    Png,

    /// <summary>JPEG (a start-of-frame marker gives the size).</summary>
    Jpeg,

    /// <summary>Windows bitmap.</summary>
    Bmp,

    /// <summary>GIF 87a/89a (the logical screen gives the size).</summary>
    Gif,

    /// <summary>WebP: lossy (VP8), lossless (VP8L) or extended (VP8X).</summary>
    WebP,
}
