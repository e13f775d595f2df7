using System.Diagnostics;
using Detr.MLNet.Scoring;
using Detr.MLNet.Tests.Imaging;
using Detr.Tests.Shared;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Tests.Scoring;

public class DetrImageLimitTests
{
    readonly MLContext _ml = new(seed: 0);

    [Fact]
    public void BombIsRefusedBeforeItsImageIsDecoded()
    {
        using var folder = new TempFolder();
        string good = Fixtures.WritePng(folder.Path, "good.png", 50, 50, 1);
        string bomb = CraftedImages.Write(folder.Path, "bomb.png", CraftedPng.Claiming(60000, 60000));
        var data = new CountingImageDataView(good, bomb);
        var model = _ml.Transforms.ApplyDetr(ScoringPipeline.Options("detr_tiny_hf.onnx")).Fit(data);
        var e = Assert.ThrowsAny<Exception>(() => ScoringPipeline.Predictions(_ml, model.Transform(data)));
        var detr = ExceptionChain.Find<InvalidDataException>(e);
        Assert.Contains("Row 1", detr.Message);
        Assert.Contains("bomb.png", detr.Message);
        Assert.Contains("60000x60000", detr.Message);
        Assert.Contains("MaxImagePixels", detr.Message);
        // The good row was decoded (the count works); the bomb never was.
        Assert.Equal(1, data.Decodes);
    }

    [Fact]
    public void BombThroughLoadImagesFailsFastAndCanBeSkipped()
    {
        using var folder = new TempFolder();
        string good = Fixtures.WritePng(folder.Path, "good.png", 50, 50, 1);
        string bomb = CraftedImages.Write(folder.Path, "bomb.png", CraftedPng.Claiming(60000, 60000));
        var data = ScoringPipeline.Rows(_ml, good, bomb);
        var options = ScoringPipeline.Options("detr_tiny_hf.onnx");
        var watch = Stopwatch.StartNew();
        var e = Assert.ThrowsAny<Exception>(() => ScoringPipeline.Predictions(_ml, ScoringPipeline.Pipeline(_ml, options).Fit(data).Transform(data)));
        Assert.Contains("Row 1 (image '" + bomb + "')", ExceptionChain.Find<InvalidDataException>(e).Message);
        // Decoding 3.6 gigapixels takes a minute and 14 GB; refusing it takes milliseconds.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");

        var warnings = new List<string>();
        _ml.Log += (_, m) => { if (m.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(m.Message); };
        options.SkipUnreadableImages = true;
        var predictions = ScoringPipeline.Predictions(_ml, ScoringPipeline.Pipeline(_ml, options).Fit(data).Transform(data));
        Assert.Equal(10, predictions[0].Score.Length);
        Assert.Empty(predictions[1].Score);
        Assert.Contains(warnings, w => w.Contains("bomb.png") && w.Contains("MaxImagePixels"));
    }

    [Fact]
    public void RaisedLimitLetsALargeImageThroughAndSurvivesSaving()
    {
        using var folder = new TempFolder();
        string image = Fixtures.WritePng(folder.Path, "wide.png", 120, 80, 2);
        var data = ScoringPipeline.Rows(_ml, image);
        var options = ScoringPipeline.Options("detr_tiny_hf.onnx");
        options.MaxImagePixels = 120 * 80 - 1;
        var model = ScoringPipeline.Pipeline(_ml, options).Fit(data);
        var e = Assert.ThrowsAny<Exception>(() => ScoringPipeline.Predictions(_ml, model.Transform(data)));
        Assert.Contains("wide.png", ExceptionChain.Find<InvalidDataException>(e).Message);

        options.MaxImagePixels = 120 * 80;
        model = ScoringPipeline.Pipeline(_ml, options).Fit(data);
        string zip = Path.Combine(folder.Path, "model.zip");
        _ml.Model.Save(model, data.Schema, zip);
        _ml.ComponentCatalog.RegisterDetr();
        var loaded = _ml.Model.Load(zip, out _);
        Assert.Equal(10, ScoringPipeline.Predictions(_ml, loaded.Transform(data))[0].Score.Length);
        var settings = ((TransformerChain<ITransformer>)loaded).OfType<DetrScoringTransformer>().Single().Model.Options;
        Assert.Equal(120 * 80, settings.MaxImagePixels);
    }

    [Fact]
    public void NonPositiveLimitIsRejected()
    {
        var options = ScoringPipeline.Options("detr_tiny_hf.onnx");
        options.MaxImagePixels = 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.ApplyDetr(options));
    }
}
