using Detr.Training.Modeling;
using Detr.Training.Trainers;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Trainers;

public class WeightAverageTests
{
    static DetectionTransformer TinyModel() => (TinyTraining.Model with { HiddenDim = 32, FeedForwardDim = 64, EncoderLayers = 1, DecoderLayers = 1 })
        .WithNumClasses(3).CreateModel();

    static Tensor Weight(DetectionTransformer model) => model.state_dict()["class_embed.weight"];

    [Fact]
    public void EachUpdateMovesTheAverageByTheWarmedUpDecay()
    {
        using var model = TinyModel();
        using var before = Weight(model).detach().clone();
        using var average = new WeightAverage(model, decay: 0.9, warmupSteps: 2);
        double first = 0.9 * (1 - Math.Exp(-1 / 2.0)), second = 0.9 * (1 - Math.Exp(-2 / 2.0));
        Assert.Equal(first, average.CurrentDecay, 12);
        using (no_grad())
            Weight(model).add_(1.0);
        average.Update();
        using (no_grad())
            Weight(model).add_(1.0);
        average.Update();
        Assert.Equal(2, average.Updates);

        // Average after two updates: d2·(d1·w + (1−d1)(w+1)) + (1−d2)(w+2) = w + d2(1−d1) + 2(1−d2).
        double shift = second * (1 - first) + 2 * (1 - second);
        using var scope = average.Applied();
        Assert.True(Weight(model).allclose(before + shift, rtol: 0, atol: 1e-6), "the applied weights are the average");
    }

    [Fact]
    public void AppliedRestoresTheTrainedWeightsAndCopyIntoKeepsTheAverage()
    {
        using var model = TinyModel();
        using var average = new WeightAverage(model, decay: 0.5, warmupSteps: 1e-9);
        using (no_grad())
            Weight(model).add_(4.0);
        using var trained = Weight(model).detach().clone();
        average.Update(); // decay 0.5: halfway to the trained weights

        using (average.Applied())
            Assert.True(Weight(model).allclose(trained - 2.0, rtol: 0, atol: 1e-6));
        Assert.True(Weight(model).allclose(trained, rtol: 0, atol: 0), "leaving the scope restores the trained weights");
        average.CopyInto();
        Assert.True(Weight(model).allclose(trained - 2.0, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void SavedAverageLoadsBackAndRefusesAnotherModel()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "average.safetensors");
        using var model = TinyModel();
        using var average = new WeightAverage(model, decay: 0.9, warmupSteps: 1);
        using (no_grad())
            Weight(model).add_(1.0);
        average.Update();
        average.Save(path);

        using var other = TinyModel();
        using var loaded = new WeightAverage(other, decay: 0.9, warmupSteps: 1);
        loaded.Load(path);
        Assert.Equal(1, loaded.Updates);
        using (loaded.Applied())
        using (average.Applied())
            Assert.True(Weight(other).allclose(Weight(model), rtol: 0, atol: 0));

        using var wider = (TinyTraining.Model with { HiddenDim = 64, FeedForwardDim = 64, EncoderLayers = 1, DecoderLayers = 1 }).WithNumClasses(3).CreateModel();
        using var mismatched = new WeightAverage(wider, decay: 0.9, warmupSteps: 1);
        var error = Assert.Throws<InvalidDataException>(() => mismatched.Load(path));
        Assert.Contains(path, error.Message);
    }
}
