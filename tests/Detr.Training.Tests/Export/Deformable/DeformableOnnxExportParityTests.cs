using Detr.MLNet.Labels;
using Detr.Training.Export;
using Detr.Training.Export.Deformable;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Weights;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Export.Deformable;

/// <summary>
/// ONNX Runtime running the exported Deformable DETR gives what the TorchSharp model computes (which the parity
/// fixtures tie to the reference's code), for the three variants, the fixtures' single image and padded batch, and a
/// size the fixtures do not have.
/// </summary>
public class DeformableOnnxExportParityTests(ITestOutputHelper output)
{
    const float Tolerance = 1e-4f;

    [Theory]
    [InlineData("plain")]
    [InlineData("refine")]
    [InlineData("twostage")]
    public void OnnxRuntimeMatchesTorchSharp(string variant)
    {
        using var scope = NewDisposeScope();
        var model = DeformableFixtures.Model(variant);
        var labels = Enumerable.Range(0, model.Config.NumClasses).Select(i => $"c{i}").ToArray();
        byte[] onnx = DeformableOnnxExporter.ToBytes(model, new DetrOnnxExportOptions { LabelNames = labels });
        using var session = new InferenceSession(onnx, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(DetrModelMetadataKeys.SigmoidPostprocess, metadata[DetrModelMetadataKeys.Postprocess]);
        Assert.Equal("deformable", metadata[DetrModelMetadataKeys.Architecture]);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(labels), metadata[DetrModelMetadataKeys.Labels]);

        foreach (var input in new[] { "single", "batch" })
            Compare(variant, input, model, session, DeformableFixtures.Bin(variant, $"{input}_images"),
                DeformableFixtures.Bin(variant, $"{input}_mask").to(ScalarType.Bool));

        // Another size, alone and padded in a batch with a smaller image: the levels' sizes are read in the graph.
        manual_seed(11);
        Compare(variant, "96x128", model, session, randn(1, 3, 96, 128), zeros(1, 96, 128, ScalarType.Bool));
        var (batch, mask) = PaddedBatch.Of((96, 128), (70, 90));
        Compare(variant, "96x128 + 70x90 padded", model, session, batch, mask);
    }

    // DINO's ranking (best class logit) is a different graph after the encoder: TopK over ReduceMax instead of column 0.
    [Fact]
    public void BestClassProposalSelectionMatchesTorchSharp()
    {
        using var scope = NewDisposeScope();
        var objectness = DeformableFixtures.Model("twostage");
        var model = new DeformableDetrModel(objectness.Config with { ProposalSelection = ProposalSelection.BestClass });
        var report = StateDictLoader.Load(model, objectness.state_dict(), source: "the two-stage fixture");
        Assert.True(report.IsExact, report.ToString());
        model.eval();
        var labels = Enumerable.Range(0, model.Config.NumClasses).Select(i => $"c{i}").ToArray();
        byte[] onnx = DeformableOnnxExporter.ToBytes(model, new DetrOnnxExportOptions { LabelNames = labels });
        using var session = new InferenceSession(onnx, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });

        var images = DeformableFixtures.Bin("twostage", "single_images");
        var mask = DeformableFixtures.Bin("twostage", "single_mask").to(ScalarType.Bool);
        Compare("best class", "single", model, session, images, mask);
        var (batch, padding) = PaddedBatch.Of((96, 128), (70, 90));
        Compare("best class", "96x128 + 70x90 padded", model, session, batch, padding);
        using (no_grad())
            Assert.False(model.forward(images, mask).Boxes.allclose(objectness.forward(images, mask).Boxes),
                "ranking by the best class should pick other proposals than ranking by the first on these random weights");
    }

    [Fact]
    public void OpsetsBelowGridSampleAndLayerNormalizationAreRefused()
    {
        var model = DeformableFixtures.Model("plain");
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DeformableOnnxExporter.ToBytes(model, new DetrOnnxExportOptions { Opset = 16 }));
        Assert.Contains("opset 17", error.Message);
    }

    [Fact]
    public void LabelNamesMustMatchTheClassCount()
    {
        // Sigmoid heads have no no-object column: the class count is the logits' width.
        var model = DeformableFixtures.Model("plain");
        var names = Enumerable.Range(0, model.Config.NumClasses + 1).Select(i => $"c{i}").ToArray();
        Assert.Throws<ArgumentException>(() => DeformableOnnxExporter.ToBytes(model, new DetrOnnxExportOptions { LabelNames = names }));
    }

    void Compare(string variant, string input, DeformableDetrModel model, InferenceSession session, Tensor images, Tensor paddingMask)
    {
        Tensor expectedLogits, expectedBoxes;
        using (no_grad())
        {
            var outputs = model.forward(images, paddingMask);
            (expectedLogits, expectedBoxes) = (outputs.Logits, outputs.Boxes);
        }
        var (logits, boxes) = OnnxRuntimeForward(session, images, paddingMask);
        float logitsDifference = MaxDifference(expectedLogits, logits);
        float boxesDifference = MaxDifference(expectedBoxes, boxes);
        output.WriteLine($"{variant} {input}: logits {logitsDifference:E2}, boxes {boxesDifference:E2}");
        Assert.True(logitsDifference <= Tolerance, $"{variant} {input}: logits differ by {logitsDifference}");
        Assert.True(boxesDifference <= Tolerance, $"{variant} {input}: boxes differ by {boxesDifference}");
    }

    /// <summary>The exported model's logits and boxes for images [N,3,H,W] and their padding mask [N,H,W] (true on padding).</summary>
    internal static (Tensor Logits, Tensor Boxes) OnnxRuntimeForward(InferenceSession session, Tensor images, Tensor paddingMask)
    {
        long[] shape = images.shape;
        var pixelMask = paddingMask.logical_not().to(ScalarType.Int64).contiguous();
        using var pixels = OrtValue.CreateTensorValueFromMemory(images.contiguous().data<float>().ToArray(), shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(pixelMask.data<long>().ToArray(), [shape[0], shape[2], shape[3]]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["pixel_values", "pixel_mask"], [pixels, mask], ["logits", "pred_boxes"]);
        Tensor Read(OrtValue value) => tensor(value.GetTensorDataAsSpan<float>().ToArray(), value.GetTensorTypeAndShape().Shape);
        return (Read(results[0]), Read(results[1]));
    }

    static float MaxDifference(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (expected - actual).abs().max().item<float>();
    }
}
