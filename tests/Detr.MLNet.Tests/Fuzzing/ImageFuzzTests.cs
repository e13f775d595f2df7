using Detr.MLNet.Imaging;
using Detr.MLNet.Scoring;
using Detr.MLNet.Tests.Imaging;
using Detr.MLNet.Tests.Scoring;
using Detr.Tests.Shared;
using Microsoft.ML;
using SkiaSharp;
using Xunit.Abstractions;

namespace Detr.MLNet.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of valid PNG and JPEG files: each either decodes, or <see cref="RgbImage.DecodeUnpremultiplied"/>
/// returns null (SkiaSharp knows no such format) or throws <see cref="InvalidDataException"/> naming the file; nothing
/// crashes, hangs or allocates beyond a bound. No file the guard lets through is one SkiaSharp decodes only partly
/// (the silent partial decode stock <c>LoadImages</c> would accept). Through the scoring pipeline, with skipping on,
/// every row is scored or reported.
/// </summary>
public class ImageFuzzTests(ITestOutputHelper output)
{
    static readonly int Cases = FuzzCase.Count(300);
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    static byte[] Valid(string extension) => extension switch
    {
        "png" => CraftedImages.Encode(SKEncodedImageFormat.Png, 64, 48),
        "jpg" => CraftedImages.Encode(SKEncodedImageFormat.Jpeg, 64, 48),
        "webp" => CraftedImages.Encode(SKEncodedImageFormat.Webp, 64, 48),
        "bmp" => CraftedImages.Bmp(24, 16),
        _ => CraftedImages.Gif(24, 16),
    };

    [Theory]
    [InlineData("png", 11)]
    [InlineData("jpg", 12)]
    [InlineData("webp", 14)]
    [InlineData("bmp", 15)]
    [InlineData("gif", 16)]
    public void MutatedImagesDecodeOrFailWithInvalidData(string extension, int seed)
    {
        using var folder = new TempFolder();
        var valid = Valid(extension);
        int decoded = 0, unknown = 0, refused = 0, partly = 0;
        foreach (var mutation in Mutations.Of(valid, Cases, seed))
        {
            string path = CraftedImages.Write(folder.Path, $"case{mutation.Index}.{extension}", mutation.Bytes);
            string name = $"{extension} case {mutation.Index} ({mutation.Kind})";
            RgbImage? image = null;
            // A valid header within the default limit may still be a few hundred megapixels' worth: bound the managed RGB copy.
            var outcome = FuzzCase.Run(name, () => image = RgbImage.DecodeUnpremultiplied(path, maxImagePixels: 4_000_000), Timeout, 64L << 20);
            if (outcome.Error is null)
            {
                if (image is null) unknown++; else decoded++;
                continue;
            }
            FuzzCase.AssertRefused<InvalidDataException>(outcome, name, $"case{mutation.Index}.{extension}");
            // The guard runs first; this message comes from SkiaSharp's own IncompleteInput/ErrorInInput after it.
            if (outcome.Error!.Message.Contains("decoded it only partly"))
                partly++;
            refused++;
        }
        output.WriteLine($"{extension}: {Cases} cases, {decoded} decoded, {unknown} not a format SkiaSharp decodes (null), " +
            $"{refused} refused (InvalidDataException), of which {partly} only by SkiaSharp's decode result");
        Assert.Equal(Cases, decoded + unknown + refused);
        Assert.Equal(0, partly);
        Assert.True(refused > Cases / 4, "the mutations should mostly break the file");
    }

    [Fact]
    public void MutatedPngsThroughTheScoringPipelineAreScoredOrReported()
    {
        using var folder = new TempFolder();
        var valid = CraftedImages.Encode(SKEncodedImageFormat.Png, 64, 48);
        var paths = Mutations.Of(valid, 200, seed: 13)
            .Select(m => CraftedImages.Write(folder.Path, $"case{m.Index}.png", m.Bytes)).ToArray();
        var ml = new MLContext(seed: 0);
        var reported = new Dictionary<long, string>();
        var options = ScoringPipeline.Options("detr_tiny_hf.onnx");
        options.SkipUnreadableImages = true;
        options.OnUnreadableImage = u => reported[u.Row] = u.Reason;
        options.MaxImagePixels = 4_000_000;
        var data = ScoringPipeline.Rows(ml, paths);
        var predictions = ScoringPipeline.Predictions(ml, ScoringPipeline.Pipeline(ml, options).Fit(data).Transform(data));
        Assert.Equal(paths.Length, predictions.Length);
        for (int row = 0; row < paths.Length; row++)
        {
            bool guardRefuses = Refuses(paths[row]);
            // Whatever the guard refuses is reported, never scored from a partial decode.
            if (guardRefuses)
                Assert.True(reported.ContainsKey(row), $"row {row} was refused by the guard but scored");
            if (reported.TryGetValue(row, out var reason))
                Assert.False(string.IsNullOrWhiteSpace(reason));
            else
                Assert.Equal(10, predictions[row].Score.Length);
        }
        output.WriteLine($"pipeline: {paths.Length} mutated PNGs, {paths.Length - reported.Count} scored, {reported.Count} reported unreadable");
    }

    static bool Refuses(string path)
    {
        try
        {
            ImageFileGuard.Check(path, 4_000_000);
            return false;
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }
}
