using Detr.MLNet.Imaging;
using Detr.Tests.Shared;
using SkiaSharp;

namespace Detr.MLNet.Tests.Imaging;

public class ImageFileGuardTests
{
    [Fact]
    public void BombIsRefusedNamingTheFileItsSizeAndTheOption()
    {
        using var folder = new TempFolder();
        string bomb = CraftedImages.Write(folder.Path, "bomb.png", CraftedPng.Claiming(60000, 60000));
        Assert.InRange(new FileInfo(bomb).Length, 1, 2000);
        var e = Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(bomb));
        Assert.Contains("bomb.png", e.Message);
        Assert.Contains("60000x60000", e.Message);
        Assert.Contains("3,600,000,000", e.Message);
        Assert.Contains("89,478,485", e.Message);
        Assert.Contains("MaxImagePixels", e.Message);
        Assert.Contains("--max-image-pixels", e.Message);
    }

    [Fact]
    public void LimitIsInclusiveAndCanBeRaisedOrLifted()
    {
        using var folder = new TempFolder();
        string image = CraftedImages.Write(folder.Path, "a.png", CraftedPng.Claiming(100, 50));
        Assert.Equal(5000, ImageFileGuard.Check(image, maxPixels: 5000)!.Value.PixelCount);
        Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(image, maxPixels: 4999));
        string bomb = CraftedImages.Write(folder.Path, "bomb.png", CraftedPng.Claiming(60000, 60000));
        Assert.Equal(60000, ImageFileGuard.Check(bomb, maxPixels: null)!.Value.Width);
        Assert.Equal(60000, ImageFileGuard.Check(bomb, maxPixels: 4_000_000_000)!.Value.Height);
    }

    [Fact]
    public void BombsOfEveryFormatAreRefused()
    {
        using var folder = new TempFolder();
        foreach (var (name, bytes) in new[]
        {
            ("bomb.jpg", CraftedImages.JpegClaiming(65000, 65000)),
            ("bomb.gif", CraftedImages.Gif(65535, 65535)),
            ("bomb.webp", CraftedImages.WebPClaiming("VP8X", 100_000, 100_000)),
            ("bomb.bmp", CraftedImages.Bmp(1, 1)),
        })
        {
            if (name.EndsWith(".bmp"))
            {
                // A 1x1 bitmap header rewritten to claim 20000x20000 (the pixel array is then missing too).
                BitConverter.GetBytes(20000).CopyTo(bytes, 18);
                BitConverter.GetBytes(20000).CopyTo(bytes, 22);
            }
            string path = CraftedImages.Write(folder.Path, name, bytes);
            var e = Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(path));
            Assert.Contains(name, e.Message);
            Assert.Contains("MaxImagePixels", e.Message);
        }
    }

    [Fact]
    public void GifFrameReachingPastItsScreenCountsAtTheSizeDecodersAllocate()
    {
        using var folder = new TempFolder();
        // Found by the fuzz test: a 24x16 screen whose first frame sits at y = 65535 and is 65535 wide; SkiaSharp
        // enlarges its canvas to hold the frame (65535x65551, 17 GB of RGBA).
        var gif = CraftedImages.Gif(24, 16);
        int descriptor = 13 + 6;
        BitConverter.GetBytes((ushort)65535).CopyTo(gif, descriptor + 3);
        BitConverter.GetBytes((ushort)65535).CopyTo(gif, descriptor + 5);
        string path = CraftedImages.Write(folder.Path, "frame-bomb.gif", gif);
        Assert.Equal(new ImageHeader(ImageFormat.Gif, 65535, 65551), ImageHeader.Read(new MemoryStream(gif)));
        var e = Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(path));
        Assert.Contains("65535x65551", e.Message);
        Assert.Contains("MaxImagePixels", e.Message);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void WholeImagesPass(SKEncodedImageFormat format)
    {
        using var folder = new TempFolder();
        string path = CraftedImages.Write(folder.Path, "whole." + format.ToString().ToLowerInvariant(), CraftedImages.Encode(format, 64, 48));
        Assert.Equal(64, ImageFileGuard.Check(path)!.Value.Width);
    }

    [Fact]
    public void WholeBmpAndGifPass()
    {
        using var folder = new TempFolder();
        Assert.NotNull(ImageFileGuard.Check(CraftedImages.Write(folder.Path, "a.bmp", CraftedImages.Bmp(7, 3))));
        Assert.NotNull(ImageFileGuard.Check(CraftedImages.Write(folder.Path, "a.gif", CraftedImages.Gif(7, 3))));
    }

    [Fact]
    public void FileThatIsNoImageAtAllIsNamed()
    {
        using var folder = new TempFolder();
        var noise = Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(CraftedImages.Write(folder.Path, "noise.png", [1, 2, 3, 4, 5, 6, 7, 8, 9])));
        Assert.Contains("noise.png", noise.Message);
        Assert.Contains("signature", noise.Message);
        var empty = Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(CraftedImages.Write(folder.Path, "empty.png", [])));
        Assert.Contains("empty", empty.Message);
    }

    [Fact]
    public void FormatOnlySkiaSharpReadsIsSizeCheckedByItsCodec()
    {
        using var folder = new TempFolder();
        // An ICO directory whose one entry is a PNG claiming 60000x60000: SkiaSharp's codec reads the inner header.
        var png = CraftedPng.Claiming(60000, 60000);
        var ico = new byte[22 + png.Length];
        ico[2] = 1; // type: icon
        ico[4] = 1; // one image
        BitConverter.GetBytes(png.Length).CopyTo(ico, 6 + 8);
        BitConverter.GetBytes(22).CopyTo(ico, 6 + 12);
        png.CopyTo(ico, 22);
        string path = CraftedImages.Write(folder.Path, "bomb.ico", ico);
        using (var codec = SKCodec.Create(path))
            Assert.Equal(60000, codec.Info.Width);
        var e = Assert.Throws<InvalidDataException>(() => ImageFileGuard.Check(path));
        Assert.Contains("bomb.ico", e.Message);
        Assert.Contains("MaxImagePixels", e.Message);
    }

    [Fact]
    public void MissingFileIsAnIOError()
    {
        Assert.ThrowsAny<IOException>(() => ImageFileGuard.Check("/nowhere/at/all.png"));
    }
}
