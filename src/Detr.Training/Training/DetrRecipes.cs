using Detr.Training.Augmentation;
using Detr.Training.Modeling;

namespace Detr.Training.Training;

/// <summary>
/// Training recipes beside the reference's (which <see cref="DetrTrainerOptions"/> defaults to, for fine-tuning
/// pretrained weights on COCO-sized images).
/// </summary>
public static class DetrRecipes
{
    /// <summary>A small DETR for small images and few classes (ResNet-18 at a quarter width, 2+2 layers, 64 wide, 20 queries).</summary>
    public static DetrConfig SmallModel { get; } = new()
    {
        Backbone = ResNetDepth.ResNet18, BackboneBaseWidth = 16, HiddenDim = 64, Heads = 4, EncoderLayers = 2, DecoderLayers = 2,
        FeedForwardDim = 256, Queries = 20, Dropout = 0.0,
    };

    /// <summary>
    /// Training <see cref="SmallModel"/> from random weights on images of about <paramref name="imageSize"/> pixels:
    /// the reference's augmentation scaled to the size, higher learning rates, a looser gradient clip, and a learning
    /// rate drop at two thirds of <paramref name="epochs"/>.
    /// </summary>
    public static DetrTrainerOptions FromScratchOnSmallImages(int imageSize, int epochs) => new()
    {
        Model = SmallModel,
        Epochs = epochs,
        LearningRateDropEpochs = Math.Max(1, epochs * 2 / 3),
        BatchSize = 4,
        LearningRate = 5e-4,
        BackboneLearningRate = 2e-4,
        GradientClipNorm = 1.0,
        Augmentation = DetrAugmentationOptions.ScaledTo(imageSize),
    };
}
