using Detr.MLNet.Imaging;
using SkiaSharp;

namespace Detr.MLNet.Tests.Imaging;

public class ImageTruncationTests
{
    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "png")]
    [InlineData(SKEncodedImageFormat.Jpeg, "jpg")]
    [InlineData(SKEncodedImageFormat.Webp, "webp")]
    public void EveryCutOfAnEncodedImageIsRefusedNamingTheFile(SKEncodedImageFormat format, string extension)
    {
        using var folder = new TempFolder();
        var whole = CraftedImages.Encode(format, 96, 64);
        for (int step = 1; step < 40; step++)
        {
            int keep = (int)((long)whole.Length * step / 40);
            string path = CraftedImages.Write(folder.Path, $"cut{step}.{extension}", whole[..keep]);
            var e = Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(path));
            Assert.Contains($"cut{step}.{extension}", e.Message);
        }
        Assert.NotNull(ImageFileGuard.Check(CraftedImages.Write(folder.Path, "whole." + extension, whole)));
    }

    [Fact]
    public void TruncatedPngAndJpegSayTheyAreTruncated()
    {
        using var folder = new TempFolder();
        string png = CraftedImages.Write(folder.Path, "half.png", CraftedImages.Truncated(CraftedImages.Encode(SKEncodedImageFormat.Png, 80, 60)));
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(png)).Message);
        string jpeg = CraftedImages.Write(folder.Path, "half.jpg", CraftedImages.Truncated(CraftedImages.Encode(SKEncodedImageFormat.Jpeg, 80, 60)));
        var e = Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(jpeg));
        Assert.Contains("half.jpg", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void CutBmpAndGifAreRefused()
    {
        using var folder = new TempFolder();
        var bmp = CraftedImages.Bmp(20, 10);
        Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(CraftedImages.Write(folder.Path, "cut.bmp", bmp[..(bmp.Length - 1)])));
        var gif = CraftedImages.Gif(20, 10);
        // Cut inside the frame's data; a GIF that only lacks its trailer is accepted, as browsers accept it.
        Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(CraftedImages.Write(folder.Path, "cut.gif", gif[..(gif.Length - 3)])));
        Assert.NotNull(ImageFileGuard.Check(CraftedImages.Write(folder.Path, "no-trailer.gif", gif[..(gif.Length - 1)])));
    }

    [Fact]
    public void WebPCutWithConsistentSizesIsFoundByDecodingIt()
    {
        using var folder = new TempFolder();
        // WebP has no checksum: a file cut and its RIFF and chunk sizes rewritten to match looks whole from outside.
        var whole = CraftedImages.Encode(SKEncodedImageFormat.Webp, 96, 64);
        var cut = whole[..(whole.Length * 2 / 3)];
        BitConverter.GetBytes(cut.Length - 8).CopyTo(cut, 4);
        BitConverter.GetBytes(cut.Length - 20).CopyTo(cut, 16);
        var e = Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(CraftedImages.Write(folder.Path, "cut.webp", cut)));
        Assert.Contains("cut.webp", e.Message);
        Assert.Contains("SkiaSharp decodes it only partly", e.Message);
    }

    [Fact]
    public void FlippedByteInPngImageDataFailsItsChecksum()
    {
        using var folder = new TempFolder();
        var png = CraftedImages.Encode(SKEncodedImageFormat.Png, 64, 48);
        int idat = IndexOf(png, "IDAT"u8);
        png[idat + 20] ^= 0x40;
        var e = Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(CraftedImages.Write(folder.Path, "flipped.png", png)));
        Assert.Contains("IDAT", e.Message);
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void BadChecksumOfAnAncillaryChunkIsToleratedAsDecodersTolerateIt()
    {
        using var folder = new TempFolder();
        var png = CraftedImages.Encode(SKEncodedImageFormat.Png, 16, 16);
        // A tEXt chunk after IHDR (8 + 25 bytes) whose CRC is wrong.
        byte[] text = [0, 0, 0, 4, (byte)'t', (byte)'E', (byte)'X', (byte)'t', (byte)'a', 0, (byte)'b', (byte)'c', 1, 2, 3, 4];
        var bytes = png[..33].Concat(text).Concat(png[33..]).ToArray();
        Assert.NotNull(ImageFileGuard.Check(CraftedImages.Write(folder.Path, "text.png", bytes)));
        using var decoded = SKBitmap.Decode(bytes);
        Assert.NotNull(decoded);
    }

    [Fact]
    public void JpegWithDataAfterItsEndMarkerIsWhole()
    {
        using var folder = new TempFolder();
        var jpeg = CraftedImages.Encode(SKEncodedImageFormat.Jpeg, 32, 32).Concat(new byte[300]).ToArray();
        Assert.NotNull(ImageFileGuard.Check(CraftedImages.Write(folder.Path, "trailer.jpg", jpeg)));
    }

    [Fact]
    public void DecodeUnpremultipliedRefusesCutFilesInsteadOfReturningAPartlyBlankPicture()
    {
        using var folder = new TempFolder();
        var whole = CraftedImages.Encode(SKEncodedImageFormat.Png, 64, 48);
        string path = CraftedImages.Write(folder.Path, "whole.png", whole);
        Assert.Equal(64, RgbImage.DecodeUnpremultiplied(path)!.Width);
        string cut = CraftedImages.Write(folder.Path, "cut.png", CraftedImages.Truncated(whole));
        Assert.Contains("cut.png", Assert.Throws<InvalidDataException>(() => RgbImage.DecodeUnpremultiplied(cut)).Message);
        Assert.Throws<InvalidDataException>(() => RgbImage.DecodeUnpremultiplied(path, maxImagePixels: 100));
    }

    static int IndexOf(byte[] bytes, ReadOnlySpan<byte> what) => bytes.AsSpan().IndexOf(what);
}
