using Detr.MLNet.Postprocessing;
using Detr.MLNet.Scoring;
using Detr.Training.Export;
using Detr.Training.Modeling;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Export;

/// <summary>A reference checkpoint, loaded and exported, scores in ML.NET's scorer as the reference scores in PyTorch.</summary>
public class ReferenceCheckpointExportTests
{
    [Fact]
    public void ExportedCheckpointGivesTheReferenceDetections()
    {
        using var scope = NewDisposeScope();
        const string name = "r18_tiny";
        var model = new DetrModel(ModelFixtures.Config(name));
        StateDictLoader.Load(model, SafetensorsFile.Read(ModelFixtures.Path($"detr_{name}.safetensors")).Tensors);
        model.eval();
        var labels = new[] { "a", "b", "c", "d", "e" };
        byte[] onnx = DetrOnnxExporter.ToBytes(model, new DetrOnnxExportOptions { LabelNames = labels });

        using var scoring = DetrScoringModel.Open(new DetrScoringOptions { ModelBytes = onnx });
        Assert.Equal(labels, scoring.LabelNames); // from the model's own metadata, no sidecar
        Assert.Equal(DetrOnnxLayout.Transformers, scoring.Signature.Layout);

        var images = ModelFixtures.Tensor(name, "batch_images");
        var pixelMask = ModelFixtures.Tensor(name, "batch_mask").to(ScalarType.Bool).logical_not().to(ScalarType.Int64);
        var raw = scoring.CreateScorer().RunTensor(images.data<float>().ToArray(), images.shape, pixelMask.data<long>().ToArray());
        // The reference's last decoder layer.
        var expectedLogits = ModelFixtures.Tensor(name, "batch_logits")[-1];
        var expectedBoxes = ModelFixtures.Tensor(name, "batch_boxes")[-1];
        int queries = raw.Queries, classes = raw.ClassesWithNoObject;
        for (int image = 0; image < 2; image++)
        {
            var want = DetrPostprocessor.Decode(expectedLogits[image].data<float>().ToArray(), expectedBoxes[image].data<float>().ToArray(),
                queries, classes, 128, 96, 0f, null);
            var got = DetrPostprocessor.Decode(raw.Logits.AsSpan(image * queries * classes, queries * classes),
                raw.Boxes.AsSpan(image * queries * 4, queries * 4), queries, classes, 128, 96, 0f, null);
            Assert.Equal(want.ClassIds, got.ClassIds);
            for (int i = 0; i < want.Count; i++)
                Assert.Equal(want.Scores[i], got.Scores[i], 1e-4f);
            for (int i = 0; i < want.Boxes.Length; i++)
                Assert.Equal(want.Boxes[i], got.Boxes[i], 1e-2f); // pixels of a 128-wide image: 1e-4 relative
        }
    }
}
