using Detr.MLNet.Imaging;
using Detr.Tests.Shared;
using SkiaSharp;

namespace Detr.MLNet.Tests.Imaging;

public class ImageHeaderTests
{
    static ImageHeader? Read(byte[] bytes) => ImageHeader.Read(new MemoryStream(bytes));

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, ImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg, ImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp, ImageFormat.WebP)]
    public void SizeOfEncodedImagesMatchesSkiaSharp(SKEncodedImageFormat encoding, ImageFormat expected)
    {
        var bytes = CraftedImages.Encode(encoding, 41, 27);
        using var codec = SKCodec.Create(new MemoryStream(bytes));
        Assert.Equal(new ImageHeader(expected, codec.Info.Width, codec.Info.Height), Read(bytes));
        Assert.Equal(new ImageHeader(expected, 41, 27), Read(bytes));
    }

    [Fact]
    public void SizeOfBmpAndGifMatchesSkiaSharp()
    {
        foreach (var (bytes, format) in new[] { (CraftedImages.Bmp(13, 9), ImageFormat.Bmp), (CraftedImages.Gif(17, 5), ImageFormat.Gif) })
        {
            using var codec = SKCodec.Create(new MemoryStream(bytes));
            Assert.NotNull(codec);
            Assert.Equal(new ImageHeader(format, codec.Info.Width, codec.Info.Height), Read(bytes));
        }
    }

    [Fact]
    public void BombHeadersReportWhatTheyClaim()
    {
        Assert.Equal(new ImageHeader(ImageFormat.Png, 60000, 60000), Read(CraftedPng.Claiming(60000, 60000)));
        Assert.Equal(3_600_000_000L, Read(CraftedPng.Claiming(60000, 60000))!.Value.PixelCount);
        Assert.Equal(new ImageHeader(ImageFormat.Jpeg, 65000, 64000), Read(CraftedImages.JpegClaiming(65000, 64000)));
        Assert.Equal(new ImageHeader(ImageFormat.Gif, 65535, 65535), Read(CraftedImages.Gif(65535, 65535)));
        Assert.Equal(new ImageHeader(ImageFormat.WebP, 16383, 16000), Read(CraftedImages.WebPClaiming("VP8 ", 16383, 16000)));
        Assert.Equal(new ImageHeader(ImageFormat.WebP, 16384, 9000), Read(CraftedImages.WebPClaiming("VP8L", 16384, 9000)));
        Assert.Equal(new ImageHeader(ImageFormat.WebP, 16_777_216, 20000), Read(CraftedImages.WebPClaiming("VP8X", 16_777_216, 20000)));
    }

    [Fact]
    public void BmpStoredTopDownHasAPositiveHeight()
    {
        var bytes = CraftedImages.Bmp(6, 4);
        BitConverter.GetBytes(-4).CopyTo(bytes, 22);
        Assert.Equal(new ImageHeader(ImageFormat.Bmp, 6, 4), Read(bytes));
    }

    [Fact]
    public void JpegSizeIsFoundAfterLargeApplicationSegments()
    {
        var plain = CraftedImages.JpegClaiming(300, 200);
        // SOI, then three 60 KB APP1 segments (EXIF-sized), then the rest.
        var app = new byte[60_000];
        app[0] = 0xFF;
        app[1] = 0xE1;
        app[2] = (byte)((app.Length - 2) >> 8);
        app[3] = (byte)(app.Length - 2);
        var bytes = plain[..2].Concat(app).Concat(app).Concat(app).Concat(plain[2..]).ToArray();
        Assert.Equal(new ImageHeader(ImageFormat.Jpeg, 300, 200), Read(bytes));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 })]
    [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F' })]
    public void UnknownSignaturesAreNotRead(byte[] bytes) => Assert.Null(Read(bytes));

    [Fact]
    public void KnownSignatureWithABrokenHeaderIsInvalidData()
    {
        var png = CraftedPng.Claiming(10, 10);
        Assert.Throws<InvalidDataException>(() => Read(png[..20]));
        Assert.Throws<InvalidDataException>(() => Read(CraftedPng.Claiming(0, 10)));
        Assert.Throws<InvalidDataException>(() => Read(CraftedPng.Claiming(0x8000_0000, 10)));
        Assert.Throws<InvalidDataException>(() => Read(CraftedImages.JpegClaiming(10, 10)[..8]));
        Assert.Throws<InvalidDataException>(() => Read(CraftedImages.JpegClaiming(10, 0)));
        Assert.Throws<InvalidDataException>(() => Read(CraftedImages.Bmp(5, 5)[..20]));
    }
}
