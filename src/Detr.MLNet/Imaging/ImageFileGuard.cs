using System.Globalization;
using Microsoft.ML.Data;
using SkiaSharp;

namespace Detr.MLNet.Imaging;

/// <summary>
/// Checks an image file before anything decodes it: the pixel size its header claims against a limit (a small file
/// can claim billions of pixels, and decoders allocate for the claim), and its structure for truncation or corrupt
/// critical data (which decoders would otherwise turn into a partly blank picture without an error).
/// </summary>
public static class ImageFileGuard
{
    /// <summary>The default pixel limit: Pillow's <c>MAX_IMAGE_PIXELS</c> (about 9459×9459; 256 MB of RGBA).</summary>
    public const long DefaultMaxPixels = 89_478_485;

    /// <summary>
    /// Checks the file at <paramref name="path"/> (null <paramref name="maxPixels"/>: no size limit). Returns the
    /// claimed header, or null for a format only SkiaSharp reads (ICO, WBMP, ...: its size is checked, its structure
    /// is left to the decoder). Throws <see cref="InvalidDataException"/> naming the file when it is no image at all,
    /// claims more pixels than the limit, or is truncated or corrupt; <see cref="IOException"/> when it cannot be read.
    /// </summary>
    public static ImageHeader? Check(string path, long? maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 16 * 1024);
        if (Reading(path, () => ImageHeader.Read(stream)) is not { } header)
            return OtherFormat(path, maxPixels);
        Limit(path, header.Width, header.Height, maxPixels, decoded: false);
        // SkiaSharp's own reading of the header decides what it allocates; where it differs from ours (a GIF frame
        // past the screen, say), its claim counts too. Creating a codec parses headers only.
        using (var codec = SKCodec.Create(path))
            if (codec is not null)
                Limit(path, codec.Info.Width, codec.Info.Height, maxPixels, decoded: false);
        if (Reading(path, () => ImageIntegrity.FindDamage(stream, header.Format)) is string damage)
            throw new InvalidDataException($"'{path}' is not a readable image: {damage}.");
        if (header.Format is ImageFormat.WebP or ImageFormat.Gif && DecodeProblem(path) is SKCodecResult problem)
            throw new InvalidDataException($"'{path}' is not a readable image: its compressed data is damaged (SkiaSharp decodes it only partly: {problem}).");
        return header;
    }

    // WebP and GIF carry no checksum over their compressed data: a damaged one is only found by decoding it, which
    // LoadImages does without telling anyone, so these two are decoded once here (within the limit just checked).
    static SKCodecResult? DecodeProblem(string path)
    {
        using var codec = SKCodec.Create(path);
        if (codec is null)
            return SKCodecResult.InvalidInput;
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        return result == SKCodecResult.Success ? null : result;
    }

    // Names the source, its size and the option to raise.
    static void Limit(string source, long width, long height, long? maxPixels, bool decoded)
    {
        if (maxPixels is long max && width * height > max)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"'{source}' {(decoded ? "is" : "claims")} {width}x{height} pixels ({width * height:N0}), more than the limit of {max:N0} " +
                $"(MaxImagePixels; detr: --max-image-pixels). Raise the limit if the image is genuine{(decoded ? "" : "; nothing was decoded")}."));
    }

    // The header and structure readers say what is wrong; the file's name is added here, once.
    static T Reading<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable image: {e.Message}.", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable image: it ends unexpectedly (truncated).", e);
        }
    }

    /// <summary>
    /// The check scoring and training run on a row before its image column is read (the read decodes): checks
    /// <paramref name="path"/> when it names an existing file and returns its full path, else null (a path relative
    /// to a <c>LoadImages</c> image folder is checked by <see cref="CheckDecoded"/> instead, once decoded).
    /// </summary>
    public static string? CheckBeforeDecode(string? path, long? maxPixels)
    {
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            return null;
        Check(path, maxPixels);
        return Path.GetFullPath(path);
    }

    /// <summary>
    /// The check after the image column was read: a file the row's path did not lead to (the image's <c>Tag</c> holds
    /// the path <c>LoadImages</c> opened) is checked for damage now, and the decoded size always counts against the limit.
    /// </summary>
    public static void CheckDecoded(MLImage image, string? checkedPath, long? maxPixels)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Tag is { Length: > 0 } tag && File.Exists(tag) && Path.GetFullPath(tag) != checkedPath)
        {
            Check(tag, maxPixels: null);
            Limit(tag, image.Width, image.Height, maxPixels, decoded: true);
        }
        else if (checkedPath is null)
            Limit(image.Tag is { Length: > 0 } t ? t : "the image", image.Width, image.Height, maxPixels, decoded: true);
    }

    // ICO, WBMP, HEIF and the rest: SkiaSharp's codec reads their size from the header without decoding.
    static ImageHeader? OtherFormat(string path, long? maxPixels)
    {
        using var codec = SKCodec.Create(path)
            ?? throw new InvalidDataException(new FileInfo(path).Length == 0 ? $"'{path}' is not a readable image: the file is empty."
                : $"'{path}' is not a readable image: no PNG, JPEG, BMP, GIF or WebP signature, nor another format SkiaSharp decodes.");
        Limit(path, codec.Info.Width, codec.Info.Height, maxPixels, decoded: false);
        return null;
    }
}
