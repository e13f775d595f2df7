using Detr.Training.Modeling;
using Detr.Training.Weights;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Weights;

/// <summary>
/// torchvision ImageNet ResNets into DETR's backbone, against tests/fixtures/make_backbone_fixtures.py: torchvision's
/// own ResNet-18 (stem width 8) with random batch-norm statistics, and its layer4 features.
/// </summary>
public class BackboneWeightsTests
{
    const string Fixture = "resnet18_w8_torchvision";
    const string Body = "backbone.0.body.";

    static string ResNetPath => ModelFixtures.Path($"{Fixture}.pth");

    static DetrConfig TinyDetr(ResNetDepth depth = ResNetDepth.ResNet18, int width = 8) => new()
    {
        Backbone = depth, BackboneBaseWidth = width, HiddenDim = 32, Heads = 4, EncoderLayers = 1, DecoderLayers = 1,
        FeedForwardDim = 64, Queries = 5, NumClasses = 3,
    };

    [Theory]
    [InlineData("pth")]
    [InlineData("safetensors")]
    public void TorchvisionResNetGivesTorchvisionsFeatures(string format)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var path = ResNetPath;
        if (format == "safetensors")
        {
            // The same state dict as hubs ship it (timm's ResNets have torchvision's names).
            path = Path.Combine(folder.Path, $"{Fixture}.safetensors");
            SafetensorsFile.Write(path, DetrWeights.ReadStateDict(ResNetPath), new Dictionary<string, string>());
        }
        var model = new DetrModel(TinyDetr());
        var report = DetrWeights.LoadBackbone(model, path);
        Assert.True(report.IsExact, report.ToString());
        Assert.Empty(report.Reinitialised);

        model.eval();
        var images = ModelFixtures.Bin(Fixture, "images");
        using var noGrad = no_grad();
        var (features, _) = model.Backbone.forward(images, zeros([1, images.shape[2], images.shape[3]], ScalarType.Bool));
        var expected = ModelFixtures.Bin(Fixture, "layer4");
        Assert.Equal(expected.shape, features.shape);
        var difference = ModelFixtures.MaxAbsDifference(expected, features);
        Assert.True(difference <= 1e-4f, $"layer4 differs from torchvision's by {difference}");
    }

    [Fact]
    public void EveryBackboneWeightChangesAndNothingElse()
    {
        using var scope = NewDisposeScope();
        var model = new DetrModel(TinyDetr());
        var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        DetrWeights.LoadBackbone(model, ResNetPath);
        foreach (var (name, tensor) in model.state_dict())
        {
            // The fixture's statistics and affines are random, so even the norms' ones and zeros must have changed.
            bool changed = !tensor.allclose(before[name], rtol: 0, atol: 0);
            Assert.True(changed == name.StartsWith(Body, StringComparison.Ordinal), $"{name} {(changed ? "changed" : "did not change")}");
        }
    }

    [Theory]
    [InlineData("detr_r18_tiny.pth")]
    [InlineData("detr_r18_tiny_transformers.safetensors")]
    public void AWholeDetrCheckpointIsRefused(string file)
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<InvalidDataException>(() => DetrWeights.LoadBackbone(new DetrModel(ModelFixtures.Config("r18_tiny")), ModelFixtures.Path(file)));
        Assert.Contains("whole DETR checkpoint", e.Message);
        Assert.Contains("DetrWeights.LoadInto", e.Message);
    }

    [Fact]
    public void AnotherClassifierIsRefused()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "vgg.safetensors");
        SafetensorsFile.Write(path, new Dictionary<string, Tensor>
        {
            ["features.0.weight"] = zeros(8, 3, 3, 3),
            ["classifier.0.weight"] = zeros(10, 8),
        }, new Dictionary<string, string>());
        var e = Assert.Throws<InvalidDataException>(() => DetrWeights.LoadBackbone(new DetrModel(TinyDetr()), path));
        Assert.Contains("not a torchvision ResNet", e.Message);
        Assert.Contains("classifier.0.weight", e.Message);
    }

    [Theory]
    [InlineData(ResNetDepth.ResNet34, 8, "layer1.2.conv1.weight")]                                      // missing: a deeper ResNet
    [InlineData(ResNetDepth.ResNet18, 16, "conv1.weight (checkpoint [8,3,7,7], model [16,3,7,7])")]    // a wider one
    public void AResNetOfAnotherShapeIsRefusedNamingTheWeightsAndCopyingNothing(ResNetDepth depth, int width, string named)
    {
        using var scope = NewDisposeScope();
        var model = new DetrModel(TinyDetr(depth, width));
        var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        var e = Assert.Throws<InvalidDataException>(() => DetrWeights.LoadBackbone(model, ResNetPath));
        Assert.Contains(named, e.Message);
        Assert.Contains("DetrConfig.Backbone", e.Message);
        foreach (var (name, tensor) in model.state_dict())
            Assert.True(tensor.allclose(before[name], rtol: 0, atol: 0), $"{name} was changed by a refused load");
    }
}
