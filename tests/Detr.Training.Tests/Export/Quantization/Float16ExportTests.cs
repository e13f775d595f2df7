using Detr.MLNet.Scoring;
using Detr.Training.Export;
using Detr.Training.Export.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Detr.Training.Tests.Export.Quantization;

/// <summary>
/// Float16 export of the trained tiny DETR: float32 inputs and outputs (so <c>ApplyDetr</c> scores it unchanged), the
/// network's weights in float16, the mask and position arithmetic in float32, and outputs within float16's precision of
/// the float32 export's.
/// </summary>
[Collection(TrainedTinyDetrCollection.Name)]
public class Float16ExportTests(TrainedTinyDetr tiny)
{
    [Fact]
    public void AgreesWithFloat32AndKeepsFloat32InputsAndOutputs()
    {
        byte[] fp16 = tiny.Export(new DetrOnnxExportOptions { Precision = DetrOnnxPrecision.Float16 });
        using (var session = new InferenceSession(fp16))
        {
            Assert.All(session.InputMetadata, i => Assert.NotEqual(TensorElementType.Float16, i.Value.ElementDataType));
            Assert.All(session.OutputMetadata, o => Assert.Equal(TensorElementType.Float, o.Value.ElementDataType));
        }
        using (var model = DetrScoringModel.Open(new DetrScoringOptions { ModelBytes = fp16 }))
            Assert.Equal("float16", model.Precision);

        var want = tiny.RawOutputs(tiny.Float32);
        var got = tiny.RawOutputs(fp16);
        float largest = want.Max(w => w.Logits.Max(Math.Abs));
        float logits = want.Zip(got, (a, b) => a.Logits.Zip(b.Logits, (x, y) => Math.Abs(x - y)).Max()).Max();
        float boxes = want.Zip(got, (a, b) => a.Boxes.Zip(b.Boxes, (x, y) => Math.Abs(x - y)).Max()).Max();
        Assert.True(logits <= 0.01f * Math.Max(1, largest), $"logits differ by up to {logits} (largest {largest})");
        Assert.True(boxes <= 0.005f, $"boxes differ by up to {boxes}");
        var metrics = tiny.Evaluate(fp16);
        Assert.Equal(tiny.Float32Metrics.AP50, metrics.AP50, 0.02);
    }

    [Fact]
    public void ConvertsTheNetworkButNotTheMaskArithmetic()
    {
        var graph = TrainedTinyDetr.Graph(tiny.Export(new DetrOnnxExportOptions { Precision = DetrOnnxPrecision.Float16 })).Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        const int half = (int)TensorProto.Types.DataType.Float16, single = (int)TensorProto.Types.DataType.Float;
        // Every convolution and linear layer reads float16 weights.
        foreach (var node in graph.Node.Where(n => n.OpType is "Conv" or "MatMul" && initializers.ContainsKey(n.Input[1])))
            Assert.Equal(half, initializers[node.Input[1]].DataType);
        Assert.Contains(graph.Node, n => n.OpType == "MatMul" && initializers.ContainsKey(n.Input[1]));
        // The pixel mask is cast to float32 (its downsampling indices stay exact), and the image to float16 once.
        var maskCast = graph.Node.First(n => n.OpType == "Cast" && n.Input[0] == "pixel_mask");
        Assert.Equal(single, (int)maskCast.Attribute.Single(a => a.Name == "to").I);
        Assert.Single(graph.Node, n => n.OpType == "Cast" && n.Input[0] == "pixel_values");
        // The outputs are cast back to float32 before they are named.
        foreach (string output in new[] { "logits", "pred_boxes" })
        {
            var identity = graph.Node.Single(n => n.Output.Contains(output));
            var cast = graph.Node.Single(n => n.Output.Contains(identity.Input[0]));
            Assert.Equal("Cast", cast.OpType);
            Assert.Equal(single, (int)cast.Attribute.Single(a => a.Name == "to").I);
        }
    }
}
