using Detr.MLNet;
using Detr.MLNet.Data.Synthetic;
using Detr.Training.Augmentation;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Trainers;
using Microsoft.ML;

namespace Detr.Training.Tests.Trainers;

/// <summary>Small synthetic datasets and tiny models that train in seconds on two cores.</summary>
static class TinyTraining
{
    public static DetrConfig Model => new()
    {
        Backbone = ResNetDepth.ResNet18, BackboneBaseWidth = 8, HiddenDim = 64, Heads = 4, EncoderLayers = 1, DecoderLayers = 2,
        FeedForwardDim = 128, Queries = 8, Dropout = 0.0,
    };

    /// <summary>A Deformable DETR of the same scale: three levels (8×8 to 2×2 on 64 px), two points, 32 wide.</summary>
    public static DeformableDetrConfig DeformableModel => new()
    {
        Backbone = ResNetDepth.ResNet18, BackboneBaseWidth = 8, HiddenDim = 32, Heads = 4, FeatureLevels = 3, EncoderPoints = 2,
        DecoderPoints = 2, EncoderLayers = 1, DecoderLayers = 2, FeedForwardDim = 64, Queries = 8, Dropout = 0.0,
    };

    /// <summary>No randomness in the augmentation: a fixed 64-pixel short side, for overfitting checks.</summary>
    public static DetrAugmentationOptions Fixed(int size) => DetrAugmentationOptions.FlipOnly(size) with { FlipProbability = 0 };

    public static (MLContext Ml, IDataView Data, SyntheticShapesSummary Summary) Dataset(string folder, int images, int seed = 1, int size = 64)
    {
        var summary = SyntheticShapesDataset.Write(folder, new SyntheticShapesOptions
        {
            ImageCount = images + 1, ValidationFraction = 1.0 / (images + 1), Width = size, Height = size,
            MinObjects = 1, MaxObjects = 2, MinSize = 0.3, MaxSize = 0.6, Seed = seed,
        });
        var ml = new MLContext(seed: 0);
        var coco = ml.Data.LoadFromCocoJson(summary.TrainAnnotations, folder);
        var data = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath").Fit(coco).Transform(coco);
        return (ml, data, summary);
    }
}
