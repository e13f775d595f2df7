using Detr.MLNet.Scoring;
using Microsoft.ML;

namespace Detr.MLNet.Tests.Scoring;

public class DetrScoringErrorTests
{
    readonly MLContext _ml = new(seed: 0);

    [Fact]
    public void MissingModelFileFailsAtConstruction()
    {
        var e = Assert.Throws<FileNotFoundException>(() => _ml.Transforms.ApplyDetr("/nowhere/detr.onnx"));
        Assert.Contains("/nowhere/detr.onnx", e.Message);
    }

    [Fact]
    public void GarbageModelFileIsNamed()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "broken.onnx");
        File.WriteAllText(path, "this is not a protobuf");
        var e = Assert.Throws<InvalidDataException>(() => _ml.Transforms.ApplyDetr(path));
        Assert.Contains("broken.onnx", e.Message);
        Assert.Contains("not a loadable ONNX model", e.Message);
    }

    [Fact]
    public void NonDetrModelNamesWhatItFound()
    {
        var e = Assert.Throws<InvalidDataException>(() => _ml.Transforms.ApplyDetr(Fixtures.Scoring("not_detr_classifier.onnx")));
        Assert.Contains("not a DETR model", e.Message);
        Assert.Contains("data", e.Message);
        Assert.Contains("probabilities", e.Message);
    }

    [Theory]
    [InlineData("detr.image_mean", "[0.5, 0.5", "'[0.5, 0.5' is not a JSON array of three numbers (one per RGB channel")]
    [InlineData("detr.image_mean", "[0.5, 0.5]", "'[0.5, 0.5]' is not a JSON array of three numbers")]
    [InlineData("detr.image_std", "[0.2, 0, 0.2]", "'[0.2, 0, 0.2]' is not a JSON array of three positive numbers")]
    [InlineData("detr.shortest_edge", "-64", "detr.shortest_edge = '-64' is not a positive whole number of pixels; set the ShortestEdge option")]
    [InlineData("detr.longest_edge", "big", "detr.longest_edge = 'big' is not a positive whole number of pixels; set the LongestEdge option")]
    public void UnusableResizeOrNormalisationMetadataIsNamed(string key, string value, string expected)
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "odd_metadata.onnx");
        File.WriteAllBytes(path, OnnxProto.TinyDetr([("detr.labels", "[\"a\", \"b\", \"c\"]"u8.ToArray()), (key, System.Text.Encoding.UTF8.GetBytes(value))]));
        // A cut-off mean was a JsonException; a short one, a zero std or a bad edge fell back to the defaults silently.
        var e = Assert.Throws<InvalidDataException>(() => DetrScoringModel.Open(new DetrScoringOptions { ModelPath = path }).Dispose());
        Assert.Contains("odd_metadata.onnx", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void OverriddenNamesThatDoNotExistAreReported()
    {
        var options = new DetrScoringOptions { ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"), LogitsOutputName = "class_logits" };
        var e = Assert.Throws<InvalidDataException>(() => _ml.Transforms.ApplyDetr(options));
        Assert.Contains("class_logits", e.Message);
    }

    [Fact]
    public void MissingOrWrongTypedImageColumnFailsAtFit()
    {
        var data = ScoringPipeline.Rows(_ml, "a.png");
        var estimator = _ml.Transforms.ApplyDetr(Fixtures.Scoring("detr_tiny_hf.onnx"));
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.Contains("'Image' not found", missing.Message);
        var wrongType = Assert.Throws<ArgumentOutOfRangeException>(() =>
            _ml.Transforms.ApplyDetr(Fixtures.Scoring("detr_tiny_hf.onnx"), imageColumnName: "ImagePath").Fit(data));
        Assert.Contains("image column", wrongType.Message);
    }

    [Fact]
    public void UnreadableImageFailsNamingTheRowAndFile()
    {
        using var folder = new TempFolder();
        string good = Fixtures.WritePng(folder.Path, "good.png", 50, 50, 1);
        string corrupt = Path.Combine(folder.Path, "corrupt.png");
        File.WriteAllBytes(corrupt, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var data = ScoringPipeline.Rows(_ml, good, corrupt);
        var model = ScoringPipeline.Pipeline(_ml, ScoringPipeline.Options("detr_tiny_hf.onnx")).Fit(data);
        var e = Assert.ThrowsAny<Exception>(() => ScoringPipeline.Predictions(_ml, model.Transform(data)));
        var detr = ExceptionChain.Find<InvalidDataException>(e);
        Assert.Contains("Row 1", detr.Message);
        Assert.Contains("corrupt.png", detr.Message);
        Assert.Contains("SkipUnreadableImages", detr.Message);
    }

    [Fact]
    public void SkippingUnreadableImagesGivesEmptyPredictionsAndAWarning()
    {
        using var folder = new TempFolder();
        string good = Fixtures.WritePng(folder.Path, "good.png", 50, 50, 1);
        string missing = Path.Combine(folder.Path, "missing.png");
        var warnings = new List<string>();
        _ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        var data = ScoringPipeline.Rows(_ml, missing, good);
        var options = ScoringPipeline.Options("detr_tiny_hf.onnx");
        options.SkipUnreadableImages = true;
        var predictions = ScoringPipeline.Predictions(_ml, ScoringPipeline.Pipeline(_ml, options).Fit(data).Transform(data));
        Assert.Empty(predictions[0].Score);
        Assert.Equal(10, predictions[1].Score.Length);
        Assert.Contains(warnings, w => w.Contains("missing.png") && w.Contains("Row 0"));
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        var options = new DetrScoringOptions { ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"), BatchSize = 0 };
        Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.ApplyDetr(options));
        Assert.Throws<ArgumentException>(() => _ml.Transforms.ApplyDetr(new DetrScoringOptions()));
    }
}
