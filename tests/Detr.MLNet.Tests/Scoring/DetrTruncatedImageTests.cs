using Detr.MLNet.Scoring;
using Detr.MLNet.Tests.Imaging;
using Microsoft.ML;
using SkiaSharp;

namespace Detr.MLNet.Tests.Scoring;

public class DetrTruncatedImageTests
{
    readonly MLContext _ml = new(seed: 0);

    // Through stock LoadImages, SkiaSharp would decode these halves into partly black pictures without an error
    // (its IncompleteInput result is accepted); scoring refuses them before they are decoded.
    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "half.png")]
    [InlineData(SKEncodedImageFormat.Jpeg, "half.jpg")]
    public void TruncatedImageFailsNamingTheRowAndFile(SKEncodedImageFormat format, string name)
    {
        using var folder = new TempFolder();
        string good = Fixtures.WritePng(folder.Path, "good.png", 50, 50, 1);
        string half = CraftedImages.Write(folder.Path, name, CraftedImages.Truncated(CraftedImages.Encode(format, 120, 90)));
        var data = ScoringPipeline.Rows(_ml, good, half);
        var model = ScoringPipeline.Pipeline(_ml, ScoringPipeline.Options("detr_tiny_hf.onnx")).Fit(data);
        var e = Assert.ThrowsAny<Exception>(() => ScoringPipeline.Predictions(_ml, model.Transform(data)));
        var detr = ExceptionChain.Find<InvalidDataException>(e);
        Assert.Contains("Row 1", detr.Message);
        Assert.Contains(name, detr.Message);
        Assert.Contains("truncated", detr.Message);
    }

    [Fact]
    public void SkippingGivesTruncatedImagesEmptyPredictionsAndAWarningNamingThem()
    {
        using var folder = new TempFolder();
        string png = CraftedImages.Write(folder.Path, "half.png", CraftedImages.Truncated(CraftedImages.Encode(SKEncodedImageFormat.Png, 120, 90)));
        string good = Fixtures.WritePng(folder.Path, "good.png", 50, 50, 1);
        string jpeg = CraftedImages.Write(folder.Path, "half.jpg", CraftedImages.Truncated(CraftedImages.Encode(SKEncodedImageFormat.Jpeg, 120, 90)));
        var warnings = new List<string>();
        _ml.Log += (_, m) => { if (m.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(m.Message); };
        var data = ScoringPipeline.Rows(_ml, png, good, jpeg);
        var options = ScoringPipeline.Options("detr_tiny_hf.onnx");
        options.SkipUnreadableImages = true;
        var reported = new List<DetrUnreadableImage>();
        options.OnUnreadableImage = reported.Add;
        var predictions = ScoringPipeline.Predictions(_ml, ScoringPipeline.Pipeline(_ml, options).Fit(data).Transform(data));
        Assert.Equal([0L, 2L], reported.Select(r => r.Row));
        Assert.Equal([png, jpeg], reported.Select(r => r.ImagePath));
        Assert.All(reported, r => Assert.Contains("truncated", r.Reason));
        Assert.Empty(predictions[0].Score);
        Assert.Equal(10, predictions[1].Score.Length);
        Assert.Empty(predictions[2].Score);
        Assert.Contains(warnings, w => w.Contains("half.png") && w.Contains("Row 0") && w.Contains("truncated"));
        Assert.Contains(warnings, w => w.Contains("half.jpg") && w.Contains("Row 2"));
    }

    [Fact]
    public void PathRelativeToALoadImagesFolderIsCheckedOnceDecoded()
    {
        using var folder = new TempFolder();
        CraftedImages.Write(folder.Path, "half.png", CraftedImages.Truncated(CraftedImages.Encode(SKEncodedImageFormat.Png, 120, 90)));
        Fixtures.WritePng(folder.Path, "good.png", 50, 50, 1);
        var data = ScoringPipeline.Rows(_ml, "good.png", "half.png");
        var pipeline = _ml.Transforms.LoadImages("Image", imageFolder: folder.Path, inputColumnName: "ImagePath")
            .Append(_ml.Transforms.ApplyDetr(ScoringPipeline.Options("detr_tiny_hf.onnx")));
        var e = Assert.ThrowsAny<Exception>(() => ScoringPipeline.Predictions(_ml, pipeline.Fit(data).Transform(data)));
        var detr = ExceptionChain.Find<InvalidDataException>(e);
        Assert.Contains("Row 1", detr.Message);
        Assert.Contains(Path.Combine(folder.Path, "half.png"), detr.Message);
        Assert.Contains("truncated", detr.Message);
    }

    [Fact]
    public void PredictionEngineRefusesATruncatedImageToo()
    {
        using var folder = new TempFolder();
        string half = CraftedImages.Write(folder.Path, "half.png", CraftedImages.Truncated(CraftedImages.Encode(SKEncodedImageFormat.Png, 120, 90)));
        var data = ScoringPipeline.Rows(_ml, half);
        var model = ScoringPipeline.Pipeline(_ml, ScoringPipeline.Options("detr_tiny_hf.onnx")).Fit(data);
        using var engine = _ml.Model.CreatePredictionEngine<ScoringPipeline.ImageRow, ScoringPipeline.Prediction>(model);
        var e = Assert.ThrowsAny<Exception>(() => engine.Predict(new ScoringPipeline.ImageRow { ImagePath = half }));
        Assert.Contains("half.png", ExceptionChain.Find<InvalidDataException>(e).Message);
    }
}
