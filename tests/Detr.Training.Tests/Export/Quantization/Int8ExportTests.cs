using System.Text.Json;
using Detr.MLNet.Scoring;
using Detr.Training.Export;
using Detr.Training.Export.Onnx;
using Detr.Training.Export.Quantization;

namespace Detr.Training.Tests.Export.Quantization;

/// <summary>
/// INT8 export of a trained tiny DETR: it scores through <c>ApplyDetr</c> unchanged and within a stated AP tolerance of
/// its float32 export, its Q/DQ nodes sit only where chosen (weights int8 per channel), and its metadata says so.
/// </summary>
[Collection(TrainedTinyDetrCollection.Name)]
public class Int8ExportTests(TrainedTinyDetr tiny)
{
    // On 8 images with ~12 boxes one box more or less found moves AP50 by ~0.08, so the tolerance is one box's worth.
    const double ApTolerance = 0.06;

    [Theory]
    [InlineData(DetrCalibrationMethod.MinMax, DetrQuantizedActivations.UInt8)]
    [InlineData(DetrCalibrationMethod.Percentile, DetrQuantizedActivations.UInt8)]
    [InlineData(DetrCalibrationMethod.Entropy, DetrQuantizedActivations.UInt8)]
    [InlineData(DetrCalibrationMethod.Percentile, DetrQuantizedActivations.Int8)]
    public void ScoresThroughApplyDetrWithinTheApToleranceOfFloat32(DetrCalibrationMethod method, DetrQuantizedActivations activations)
    {
        var fp32 = tiny.Float32Metrics;
        Assert.True(fp32.AP50 >= 0.5, $"the tiny model should have learned its images first (float32 AP50 {fp32.AP50:F3})");
        byte[] int8 = tiny.Int8(method: method, activations: activations);
        var quantizeLinear = TrainedTinyDetr.Graph(int8).Graph.Node.First(n => n.OpType == "QuantizeLinear");
        var zeroPoint = TrainedTinyDetr.Graph(int8).Graph.Initializer.Single(t => t.Name == quantizeLinear.Input[2]);
        Assert.Equal(activations == DetrQuantizedActivations.UInt8 ? (int)TensorProto.Types.DataType.Uint8 : (int)TensorProto.Types.DataType.Int8, zeroPoint.DataType);
        var metrics = tiny.Evaluate(int8);
        Assert.True(Math.Abs(metrics.AP - fp32.AP) <= ApTolerance && Math.Abs(metrics.AP50 - fp32.AP50) <= ApTolerance,
            $"{method}: INT8 AP {metrics.AP:F3} / AP50 {metrics.AP50:F3} against float32 {fp32.AP:F3} / {fp32.AP50:F3}");

        // The raw outputs stay close too: boxes (normalised) and the class probabilities.
        var want = tiny.RawOutputs(tiny.Float32);
        var got = tiny.RawOutputs(int8);
        float boxes = want.Zip(got, (a, b) => a.Boxes.Zip(b.Boxes, (x, y) => Math.Abs(x - y)).Max()).Max();
        Assert.True(boxes <= 0.03f, $"{method}: boxes differ by up to {boxes}");
    }

    [Fact]
    public void QuantizesTheBackboneAndInputProjectionOnlyByDefault()
    {
        var graph = TrainedTinyDetr.Graph(tiny.Int8()).Graph;
        var placement = new QdqPlacement(graph);
        // Every convolution (all of them backbone or input projection) reads int8 per-channel weights and a
        // dequantized input; no MatMul (transformer, heads) reads anything quantized.
        var convs = graph.Node.Where(n => n.OpType == "Conv").ToList();
        Assert.NotEmpty(convs);
        foreach (var conv in convs)
        {
            placement.AssertInt8PerChannelWeight(conv, axis: 0);
            Assert.True(placement.ReadsDequantized(conv, 0), $"{conv.Name} reads a float input");
        }
        Assert.All(graph.Node.Where(n => n.OpType == "MatMul"), m => Assert.False(placement.ReadsAnyDequantized(m), $"{m.Name} reads a quantized value"));
        Assert.Equal(convs.Select(c => placement.WeightName(c)).Order(),
            placement.QuantizedWeights().Order());
        Assert.All(placement.QuantizedWeights(), w => Assert.True(w.StartsWith("backbone.0.body.") || w.StartsWith("input_proj"), w));
        // Nothing the decoder, encoder or heads compute is quantized: every value read through a DequantizeLinear is
        // produced in the backbone or input projection (or is the image).
        Assert.All(placement.QuantizedActivationProducers(), p => Assert.True(p is null or { OpType: "Conv" or "Relu" or "Add" or "MaxPool" }, p?.Name));
    }

    [Fact]
    public void QuantizesTheEncoderWhenChosenAndStillNotTheDecoder()
    {
        var graph = TrainedTinyDetr.Graph(tiny.Int8(DetrModelParts.Backbone | DetrModelParts.InputProjection | DetrModelParts.Encoder)).Graph;
        var placement = new QdqPlacement(graph);
        var weights = placement.QuantizedWeights().ToList();
        Assert.Contains(weights, w => w.StartsWith("transformer.encoder.layers.0.linear1"));
        Assert.Contains(weights, w => w.StartsWith("transformer.encoder.layers.0.self_attn.in_proj_weight"));
        Assert.DoesNotContain(weights, w => w.StartsWith("transformer.decoder") || w.StartsWith("class_embed") || w.StartsWith("bbox_embed"));
        foreach (var matmul in graph.Node.Where(n => n.OpType == "MatMul" && placement.WeightName(n).StartsWith("transformer.encoder")))
        {
            placement.AssertInt8PerChannelWeight(matmul, axis: 1);
            Assert.True(placement.ReadsDequantized(matmul, 0), $"{matmul.Name} reads a float input");
        }
        // The attention products (no constant weight) and the decoder read float.
        Assert.All(graph.Node.Where(n => n.OpType == "MatMul" && !placement.HasConstantWeight(n)), m => Assert.False(placement.ReadsAnyDequantized(m)));
        Assert.All(graph.Node.Where(n => n.OpType == "MatMul" && placement.WeightName(n).StartsWith("transformer.decoder")),
            m => Assert.False(placement.ReadsAnyDequantized(m), m.Name));
    }

    [Fact]
    public void MetadataSaysTheModelIsQuantized()
    {
        byte[] int8 = tiny.Int8();
        using var model = DetrScoringModel.Open(new DetrScoringOptions { ModelBytes = int8 });
        Assert.Equal("int8", model.Precision);
        using var description = JsonDocument.Parse(model.Quantization!);
        var root = description.RootElement;
        Assert.Equal("qdq", root.GetProperty("format").GetString());
        Assert.Equal("uint8", root.GetProperty("activations").GetString());
        Assert.Equal(["Backbone", "InputProjection"], root.GetProperty("parts").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(tiny.CalibrationImages.Count, root.GetProperty("calibration_images").GetInt32());
        Assert.Equal(tiny.Labels, model.LabelNames);
        Assert.Equal(64, model.ShortestEdge);
        using var fp32 = DetrScoringModel.Open(new DetrScoringOptions { ModelBytes = tiny.Float32 });
        Assert.Equal("float32", fp32.Precision);
        Assert.Null(fp32.Quantization);
    }

    [Fact]
    public void BadQuantizationInputIsRefusedClearly()
    {
        var missing = Assert.Throws<ArgumentException>(() => tiny.Export(new DetrOnnxExportOptions { Precision = DetrOnnxPrecision.Int8 }));
        Assert.Contains("Quantization", missing.Message);
        var none = Assert.Throws<ArgumentException>(() => tiny.Export(new DetrOnnxExportOptions
        {
            Precision = DetrOnnxPrecision.Int8, Quantization = new DetrQuantizationOptions { CalibrationImages = [] },
        }));
        Assert.Contains("calibration image", none.Message);
        using var folder = new TempFolder();
        string notAnImage = Path.Combine(folder.Path, "broken.png");
        File.WriteAllBytes(notAnImage, [1, 2, 3]);
        var broken = Assert.Throws<InvalidDataException>(() => tiny.Export(new DetrOnnxExportOptions
        {
            Precision = DetrOnnxPrecision.Int8, Quantization = new DetrQuantizationOptions { CalibrationImages = [notAnImage] },
        }));
        Assert.Contains(notAnImage, broken.Message);
    }
}
