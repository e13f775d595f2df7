using Detr.MLNet;
using Detr.MLNet.Data.Synthetic;
using Detr.Training.Augmentation;
using Detr.Training.Modeling;
using Detr.Training.Trainers;
using Microsoft.ML;

namespace Detr.Training.Tests.Trainers;

public class FromScratchRecipeTests
{
    // The notebooks' tiny configuration: its first steps have produced non-finite gradients now and then (not
    // reproducibly); the trainer must skip such a step rather than write NaN into the weights.
    [Theory]
    [InlineData(true, BackboneNorms.Batch)]
    [InlineData(false, BackboneNorms.Batch)]
    [InlineData(true, BackboneNorms.Frozen)]
    public void TheRecipeTrainsATinyModelWithoutDiverging(bool dilation, BackboneNorms norms)
    {
        using var folder = new TempFolder();
        var shapes = SyntheticShapesDataset.Write(folder.Path, new SyntheticShapesOptions { ImageCount = 8, Width = 64, Height = 64, Seed = 5 });
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromCocoJson(shapes.TrainAnnotations, shapes.Folder);
        var data = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath").Fit(train).Transform(train);
        var options = DetrRecipes.FromScratchOnSmallImages(64, epochs: 2);
        options.Model = DetrRecipes.SmallModel with { BackboneBaseWidth = 8, HiddenDim = 32, EncoderLayers = 1, DecoderLayers = 1, FeedForwardDim = 64, Dilation = dilation, BackboneNorms = norms };
        options.BatchSize = 4;
        var trainer = ml.Detection().Trainers.Detr(options);
        trainer.Fit(data);
        Assert.All(trainer.LastRun!.History, h => Assert.True(double.IsFinite(h.Loss)));
        Assert.All(trainer.TrainedModel!.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }
}
