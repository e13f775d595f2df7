using Detr.MLNet;
using Detr.Training.Trainers;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Trainers;

/// <summary>The trainer starting from an ImageNet ResNet, as the reference trains DETR.</summary>
public class StartFromBackboneTests
{
    const string Fixture = "resnet18_w8_torchvision";

    static DetrTrainerOptions Options(string folder) => new()
    {
        Model = TinyTraining.Model with { HiddenDim = 32, FeedForwardDim = 64, DecoderLayers = 1 },
        StartFromBackbone = ModelFixtures.Path($"{Fixture}.pth"),
        Epochs = 1, BatchSize = 2, Augmentation = TinyTraining.Fixed(32), CheckpointDirectory = Path.Combine(folder, "checkpoints"),
    };

    [Fact]
    public void TheTrainedModelHasTheImageNetTrunk()
    {
        using var folder = new TempFolder();
        var (ml, data, _) = TinyTraining.Dataset(Path.Combine(folder.Path, "data"), images: 2, size: 32);
        var options = Options(folder.Path);
        options.BackboneLearningRate = 0; // a frozen trunk stays exactly what was loaded
        var trainer = ml.Detection().Trainers.Detr(options);
        trainer.Fit(data);

        using var scope = NewDisposeScope();
        var images = ModelFixtures.Bin(Fixture, "images");
        using var noGrad = no_grad();
        var (features, _) = trainer.TrainedModel!.Backbone.forward(images, zeros([1, images.shape[2], images.shape[3]], ScalarType.Bool));
        var difference = ModelFixtures.MaxAbsDifference(ModelFixtures.Bin(Fixture, "layer4"), features);
        Assert.True(difference <= 1e-4f, $"the trained backbone's layer4 differs from torchvision's by {difference}");
    }

    [Fact]
    public void ACheckpointAndABackboneTogetherAreRefused()
    {
        using var folder = new TempFolder();
        var (ml, data, _) = TinyTraining.Dataset(Path.Combine(folder.Path, "data"), images: 1, size: 32);
        var options = Options(folder.Path);
        options.StartFromCheckpoint = ModelFixtures.Path("detr_r18_tiny.safetensors");
        var e = Assert.Throws<ArgumentException>(() => ml.Detection().Trainers.Detr(options).Fit(data));
        Assert.Contains(nameof(DetrTrainerOptions.StartFromCheckpoint), e.Message);
        Assert.Contains(nameof(DetrTrainerOptions.StartFromBackbone), e.Message);
        Assert.False(Directory.Exists(options.CheckpointDirectory), "training started");
    }
}
