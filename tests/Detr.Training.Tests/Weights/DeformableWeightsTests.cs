using Detr.Training.Modeling.Deformable;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Weights;

/// <summary>Deformable DETR checkpoints: reference .pth, transformers-named safetensors, own checkpoints, and refusals by key.</summary>
public class DeformableWeightsTests
{
    static void AssertReferenceOutputs(Detr.Training.Modeling.DetectionTransformer model, string variant)
    {
        using var noGrad = no_grad();
        model.eval();
        var outputs = model.forward(DeformableFixtures.Bin(variant, "batch_images"), DeformableFixtures.Bin(variant, "batch_mask").to(ScalarType.Bool));
        var (logits, boxes) = ModelFixtures.Stacked(outputs);
        Assert.True(ModelFixtures.MaxAbsDifference(DeformableFixtures.Bin(variant, "batch_pred_logits"), logits) <= 1e-4f, $"{variant} logits");
        Assert.True(ModelFixtures.MaxAbsDifference(DeformableFixtures.Bin(variant, "batch_pred_boxes"), boxes) <= 1e-4f, $"{variant} boxes");
    }

    [Theory]
    [InlineData("refine")]
    [InlineData("twostage")]
    public void TransformersNamedWeightsLoadWithTheArchitectureReadOffThem(string variant)
    {
        using var scope = NewDisposeScope();
        var (model, _, report) = DetrWeights.Open(DeformableFixtures.Path($"deformable_{variant}_transformers.safetensors"), heads: 4, queries: 10);
        Assert.True(report.IsExact, report.ToString());
        var expected = DeformableFixtures.Config(variant);
        var config = Assert.IsType<DeformableDetrModel>(model).Config;
        Assert.Equal(expected with { Dropout = config.Dropout }, config);
        AssertReferenceOutputs(model, variant);
    }

    [Fact]
    public void ReferencePthLoadsAndOwnCheckpointsReloadWithNoFlags()
    {
        using var scope = NewDisposeScope();
        var (model, _, report) = DetrWeights.Open(DeformableFixtures.Path("deformable_plain.pth"), heads: 4);
        Assert.True(report.IsExact, report.ToString());
        AssertReferenceOutputs(model, "plain");
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "own.safetensors");
        DetrCheckpoint.Save(model, ["a", "b", "c", "d", "e"], path);
        var (again, labels, _) = DetrWeights.Open(path);
        Assert.Equal(["a", "b", "c", "d", "e"], labels);
        Assert.IsType<DeformableDetrModel>(again);
        AssertReferenceOutputs(again, "plain");
    }

    [Fact]
    public void AMissingOrMisShapedDeformableTensorIsNamed()
    {
        using var scope = NewDisposeScope();
        var (weights, _) = SafetensorsFile.Read(DeformableFixtures.Path("deformable_refine.safetensors"));
        weights.Remove("transformer.decoder.layers.1.cross_attn.sampling_offsets.weight");
        weights["transformer.level_embed"] = zeros(4, 16);
        var model = new DeformableDetrModel(DeformableFixtures.Config("refine"));
        var e = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(model, weights));
        Assert.Contains("transformer.decoder.layers.1.cross_attn.sampling_offsets.weight", e.Message);
        Assert.Contains("transformer.level_embed (checkpoint [4,16], model [4,32])", e.Message);
    }
}
