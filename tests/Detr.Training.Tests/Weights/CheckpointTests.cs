using Detr.Training.Modeling;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Weights;

public class CheckpointTests
{
    [Fact]
    public void LoadedSavedAndLoadedAgainGivesIdenticalOutputs()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var (model, labels, report) = DetrWeights.Open(ModelFixtures.Path("detr_r18_tiny.safetensors"), heads: 4);
        Assert.True(report.IsExact);
        Assert.Null(labels);
        Assert.Equal(ModelFixtures.Config("r18_tiny") with { Dropout = ((DetrModel)model).Config.Dropout }, ((DetrModel)model).Config); // inferred from the weights
        string path = Path.Combine(folder.Path, "own.safetensors");
        DetrCheckpoint.Save(model, ["a", "b", "c", "d", "e"], path);
        var (again, names, _) = DetrWeights.Open(path);
        Assert.Equal(["a", "b", "c", "d", "e"], names);
        var images = ModelFixtures.Tensor("r18_tiny", "batch_images");
        var mask = ModelFixtures.Tensor("r18_tiny", "batch_mask").to(ScalarType.Bool);
        using var noGrad = no_grad();
        var first = model.forward(images, mask);
        var second = again.forward(images, mask);
        Assert.True(first.Logits.allclose(second.Logits, rtol: 0, atol: 0));
        Assert.True(first.Boxes.allclose(second.Boxes, rtol: 0, atol: 0));
    }

    [Fact]
    public void LoaderErrorsNameTheKeys()
    {
        using var scope = NewDisposeScope();
        var (weights, _) = SafetensorsFile.Read(ModelFixtures.Path("detr_r18_tiny.safetensors"));
        var config = ModelFixtures.Config("r18_tiny");
        weights.Remove("query_embed.weight");
        weights["extra.weight"] = zeros(2);
        weights["class_embed.bias"] = zeros(3);
        var e = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(new DetrModel(config), weights));
        Assert.Contains("query_embed.weight", e.Message);
        Assert.Contains("extra.weight", e.Message);
        Assert.Contains("class_embed.bias", e.Message);
        // A new class count is allowed when asked: only the class head is left freshly initialised.
        (weights, _) = SafetensorsFile.Read(ModelFixtures.Path("detr_r18_tiny.safetensors"));
        var report = StateDictLoader.Load(new DetrModel(config with { NumClasses = 2 }), weights, allowNewClassCount: true);
        Assert.Equal(["class_embed.bias", "class_embed.weight"], report.Reinitialised.Order());
    }

    [Fact]
    public void CorruptSafetensorsIsAClearError()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "bad.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("bad.safetensors", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(path)).Message);
    }
}
