using Detr.MLNet;
using Detr.MLNet.Data.Synthetic;
using Detr.MLNet.Scoring;
using Detr.Training.Export;
using Detr.Training.Export.Deformable;
using Detr.Training.Export.Quantization;
using Detr.Training.Tests.Export.Quantization;
using Microsoft.ML;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Export.Deformable;

/// <summary>
/// INT8 and float16 exports of a two-stage Deformable DETR (the parity fixture's weights): GridSample and everything
/// after the input projection stay float, the backbone's convolutions are int8, and both score through
/// <c>ApplyDetr</c> close to the float32 export.
/// </summary>
public class DeformablePrecisionExportTests
{
    // Two-stage models pick their queries by a top-k over the encoder's proposals, which a small change can reorder, so
    // query-by-query agreement is checked on box refinement's learned queries; placement and scoring on both.
    [Theory]
    [InlineData("refine")]
    [InlineData("twostage")]
    public void Int8KeepsSamplingFloatAndScoresCloseToFloat32(string variant)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var model = DeformableFixtures.Model(variant);
        SyntheticShapesDataset.Write(folder.Path, new SyntheticShapesOptions { ImageCount = 6, ValidationFraction = 1.0 / 6, Width = 96, Height = 80, Seed = 9 });
        var images = CalibrationImageSet.FromFolder(Path.Combine(folder.Path, "images"));
        var options = new DetrOnnxExportOptions { ShortestEdge = 80, LongestEdge = 128 };
        byte[] fp32 = DeformableOnnxExporter.ToBytes(model, options);
        byte[] int8 = DeformableOnnxExporter.ToBytes(model, options with
        {
            Precision = DetrOnnxPrecision.Int8,
            Quantization = new DetrQuantizationOptions { CalibrationImages = images },
        });

        var graph = TrainedTinyDetr.Graph(int8).Graph;
        var placement = new QdqPlacement(graph);
        var samplers = graph.Node.Where(n => n.OpType == "GridSample").ToList();
        Assert.NotEmpty(samplers);
        Assert.All(samplers, g => Assert.False(placement.ReadsAnyDequantized(g), $"{g.Name} reads a quantized value"));
        Assert.All(graph.Node.Where(n => n.OpType == "MatMul"), m => Assert.False(placement.ReadsAnyDequantized(m), $"{m.Name} reads a quantized value"));
        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv"))
            placement.AssertInt8PerChannelWeight(conv, axis: 0);
        Assert.All(placement.QuantizedWeights(), w => Assert.True(w.StartsWith("backbone.0.body.") || w.StartsWith("input_proj."), w));

        if (variant == "refine")
        {
            var want = Raw(fp32, images);
            var got = Raw(int8, images);
            float boxes = want.Zip(got, (a, b) => a.Boxes.Zip(b.Boxes, (x, y) => Math.Abs(x - y)).Max()).Max();
            Assert.True(boxes <= 0.02f, $"boxes differ by up to {boxes}");
        }
        Assert.NotEmpty(Scored(int8, images[0]));
    }

    [Fact]
    public void Float16RunsGridSampleAndAgreesWithFloat32()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var model = DeformableFixtures.Model("twostage");
        SyntheticShapesDataset.Write(folder.Path, new SyntheticShapesOptions { ImageCount = 3, ValidationFraction = 1.0 / 3, Width = 96, Height = 80, Seed = 10 });
        var images = CalibrationImageSet.FromFolder(Path.Combine(folder.Path, "images"));
        var options = new DetrOnnxExportOptions { ShortestEdge = 80, LongestEdge = 128 };
        byte[] fp32 = DeformableOnnxExporter.ToBytes(model, options);
        byte[] fp16 = DeformableOnnxExporter.ToBytes(model, options with { Precision = DetrOnnxPrecision.Float16 });
        var want = Raw(fp32, images);
        var got = Raw(fp16, images);
        float boxes = want.Zip(got, (a, b) => a.Boxes.Zip(b.Boxes, (x, y) => Math.Abs(x - y)).Max()).Max();
        float largest = want.Max(w => w.Logits.Max(Math.Abs));
        float logits = want.Zip(got, (a, b) => a.Logits.Zip(b.Logits, (x, y) => Math.Abs(x - y)).Max()).Max();
        Assert.True(boxes <= 0.005f, $"boxes differ by up to {boxes}");
        Assert.True(logits <= 0.02f * Math.Max(1, largest), $"logits differ by up to {logits} (largest {largest})");
        Assert.NotEmpty(Scored(fp16, images[0]));
    }

    static DetrBatchScorer.RawOutputs[] Raw(byte[] onnx, IReadOnlyList<string> images)
    {
        using var model = DetrScoringModel.Open(new DetrScoringOptions { ModelBytes = onnx });
        return model.CreateScorer().RunRawPerImage(images.Select(p => SyntheticShapesDataset.ReadImage(p)).ToList());
    }

    // Detections of one image through LoadImages → ApplyDetr, every query kept.
    static float[] Scored(byte[] onnx, string image)
    {
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.LoadFromEnumerable([new ImageRow { ImagePath = image }]);
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImageRow.ImagePath))
            .Append(ml.Transforms.ApplyDetr(new DetrScoringOptions { ModelBytes = onnx, ScoreThreshold = 0f }));
        var scored = pipeline.Fit(rows).Transform(rows);
        return ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).Single().Score;
    }

    sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }
}
