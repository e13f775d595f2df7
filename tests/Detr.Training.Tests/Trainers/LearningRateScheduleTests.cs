using Detr.MLNet;
using Detr.Training.Trainers;

namespace Detr.Training.Tests.Trainers;

public class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0, 1e-4)]
    [InlineData(199, 1e-4)]
    [InlineData(200, 1e-5)]
    [InlineData(450, 1e-6)]
    public void StepDecayDividesByTenEveryDropInterval(int epoch, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.At(1e-4, epoch, dropEvery: 200), 12);

    [Theory]
    [InlineData(0, 100, 0.01)]
    [InlineData(49, 100, 0.5)]
    [InlineData(99, 100, 1.0)]
    [InlineData(5000, 100, 1.0)]
    [InlineData(0, 0, 1.0)]
    public void WarmupRisesLinearlyToOne(long step, int warmupSteps, double expected) =>
        Assert.Equal(expected, LearningRateSchedule.Warmup(step, warmupSteps), 12);

    [Fact]
    public void TheTrainerSetsEveryStepsRateFromTheWarmupAndTheStepDrop()
    {
        using var folder = new TempFolder();
        var (ml, data, _) = TinyTraining.Dataset(folder.Path, images: 4, size: 32);
        var options = new DetrTrainerOptions
        {
            Model = TinyTraining.Model with { HiddenDim = 32, FeedForwardDim = 64, EncoderLayers = 1, DecoderLayers = 1 },
            Epochs = 3, BatchSize = 2, LearningRate = 1e-3, BackboneLearningRate = 1e-3, Augmentation = TinyTraining.Fixed(32),
            LearningRateDropEpochs = 2, WarmupSteps = 3,
        };
        var trainer = ml.Detection().Trainers.Detr(options);
        trainer.Fit(data);
        var rates = trainer.LastRun!.History.Where(h => h.Validation is null).Select(h => h.LearningRate).ToArray();
        // Six steps, two per epoch: the warm-up's thirds, the full rate, then the drop at epoch 2 (0-based).
        double[] expected = [1e-3 / 3, 1e-3 * 2 / 3, 1e-3, 1e-3, 1e-4, 1e-4];
        Assert.Equal(expected.Length, rates.Length);
        for (int i = 0; i < rates.Length; i++)
            Assert.Equal(expected[i], rates[i], 12);
    }
}
