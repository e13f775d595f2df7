using Detr.Training.Export;
using Detr.Training.Modeling;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Export;

/// <summary>ONNX Runtime running the exported graph gives what the TorchSharp model computes, across architectures and inputs.</summary>
public class OnnxExportParityTests
{
    public static TheoryData<string, DetrConfig> Configs => new()
    {
        { "r18 sine post-norm", Tiny(ResNetDepth.ResNet18) },
        { "r18 learned pre-norm", Tiny(ResNetDepth.ResNet18) with { PositionEmbedding = PositionEmbeddingKind.Learned, PreNorm = true } },
        { "r50 dc5 sine", Tiny(ResNetDepth.ResNet50) with { Dilation = true, BackboneBaseWidth = 4 } },
        { "r18 dc5 trained batch norm", Tiny(ResNetDepth.ResNet18) with { Dilation = true, BackboneNorms = BackboneNorms.Batch } },
        { "r50 pre-norm learned", Tiny(ResNetDepth.ResNet50) with { BackboneBaseWidth = 4, PreNorm = true, PositionEmbedding = PositionEmbeddingKind.Learned } },
    };

    static DetrConfig Tiny(ResNetDepth depth) => new()
    {
        Backbone = depth, BackboneBaseWidth = 8, HiddenDim = 32, Heads = 4, EncoderLayers = 2, DecoderLayers = 2,
        FeedForwardDim = 64, Queries = 7, NumClasses = 3,
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void OnnxRuntimeMatchesTorchSharp(string name, DetrConfig config)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var model = new DetrModel(config);
        RandomiseFrozenNorms(model);
        model.eval();
        byte[] onnx = DetrOnnxExporter.ToBytes(model, new DetrOnnxExportOptions { LabelNames = ["a", "b", "c"] });
        using var session = new InferenceSession(onnx, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });
        Assert.Equal("[\"a\",\"b\",\"c\"]", session.ModelMetadata.CustomMetadataMap["detr.labels"]);

        // Two sizes alone, then a padded batch of both.
        foreach (var (height, width) in new[] { (96, 128), (70, 90) })
            Compare(name, model, session, randn(1, 3, height, width), zeros(1, height, width, ScalarType.Bool));
        var (batch, mask) = PaddedBatch.Of((96, 128), (70, 90));
        Compare(name, model, session, batch, mask);
    }

    static void Compare(string name, DetrModel model, InferenceSession session, Tensor images, Tensor paddingMask)
    {
        DetrOutputs expected;
        using (no_grad())
            expected = model.forward(images, paddingMask);
        long[] shape = images.shape;
        var pixelMask = paddingMask.logical_not().to(ScalarType.Int64);
        using var pixels = OrtValue.CreateTensorValueFromMemory(images.contiguous().data<float>().ToArray(), shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(pixelMask.contiguous().data<long>().ToArray(), [shape[0], shape[2], shape[3]]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["pixel_values", "pixel_mask"], [pixels, maskValue], ["logits", "pred_boxes"]);
        AssertClose(name, "logits", expected.Logits, outputs[0]);
        AssertClose(name, "pred_boxes", expected.Boxes, outputs[1]);
    }

    static void AssertClose(string name, string output, Tensor expected, OrtValue actual)
    {
        Assert.Equal(expected.shape, actual.GetTensorTypeAndShape().Shape);
        var want = expected.contiguous().data<float>().ToArray();
        var got = actual.GetTensorDataAsSpan<float>().ToArray();
        float worst = want.Zip(got, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-4f, $"{name}: {output} differs by {worst}");
    }

    static void RandomiseFrozenNorms(DetrModel model)
    {
        using var noGrad = no_grad();
        // Trained batch norms keep weight and bias as parameters, frozen ones as buffers: randomise both kinds.
        var norms = model.named_buffers().Concat(model.named_parameters().Where(p => p.name.Contains(".bn") || p.name.Contains("downsample.1"))
            .Select(p => (p.name, (Tensor)p.parameter)));
        foreach (var (key, buffer) in norms)
        {
            if (key.EndsWith("running_var") || key.EndsWith(".weight"))
                buffer.copy_(rand_like(buffer) * 0.5 + 0.75);
            else
                buffer.copy_(randn_like(buffer) * 0.1);
        }
    }
}
