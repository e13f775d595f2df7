using System.Diagnostics;
using Detr.MLNet;
using Detr.Training.Modeling;
using Detr.Training.Trainers;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Trainers;

public class TrainerRobustnessTests
{
    static DetrTrainerOptions Options(int epochs) => new()
    {
        Model = TinyTraining.Model with { HiddenDim = 32, FeedForwardDim = 64, EncoderLayers = 1, DecoderLayers = 1 },
        Epochs = epochs, BatchSize = 2, LearningRate = 1e-3, BackboneLearningRate = 1e-3, LearningRateDropEpochs = 2,
        GradientClipNorm = 1.0, Augmentation = TinyTraining.Fixed(32), Seed = 11,
    };

    // With a weight average the exported model is the average, so the checkpoint must carry it across the interruption.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ResumingFromACheckpointContinuesExactly(bool weightAverage)
    {
        using var folder = new TempFolder();
        var (ml, data, _) = TinyTraining.Dataset(Path.Combine(folder.Path, "data"), images: 4, size: 32);
        // One intra-op thread: libtorch's multithreaded CPU reductions may add up in a different order between runs,
        // and Adam can amplify that rounding; with one thread both runs compute the very same numbers.
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            TrainStraightAndResumed(ml, data, folder, weightAverage ? 0.9 : null);
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    static void TrainStraightAndResumed(Microsoft.ML.MLContext ml, Microsoft.ML.IDataView data, TempFolder folder, double? weightAverageDecay)
    {
        DetrTrainerOptions Averaged(DetrTrainerOptions options)
        {
            options.WeightAverageDecay = weightAverageDecay;
            options.WeightAverageWarmupSteps = 2;
            return options;
        }
        var straight = ml.Detection().Trainers.Detr(Averaged(Options(3)));
        straight.Fit(data);

        // Stop after the first step (time budget 0), then resume to the end in a new trainer.
        var interrupted = Averaged(Options(3));
        interrupted.CheckpointDirectory = Path.Combine(folder.Path, "checkpoints");
        interrupted.MaxTrainingTime = TimeSpan.Zero;
        var first = ml.Detection().Trainers.Detr(interrupted);
        first.Fit(data);
        Assert.True(first.LastRun!.StoppedByTimeLimit);
        Assert.Equal(1, first.LastRun.Steps);
        interrupted.MaxTrainingTime = null;
        interrupted.Resume = true;
        var resumed = ml.Detection().Trainers.Detr(interrupted);
        resumed.Fit(data);
        Assert.Equal(straight.LastRun!.Steps, resumed.LastRun!.Steps);

        var expected = straight.TrainedModel!.state_dict();
        foreach (var (name, tensor) in resumed.TrainedModel!.state_dict())
            Assert.True(tensor.allclose(expected[name], rtol: 0, atol: 0), $"{name} differs after resuming by {(tensor - expected[name]).abs().max().item<float>()}");
    }

    [Fact]
    public void NonFiniteLossStopsNamingTheStepAndKeepsTheLastCheckpoint()
    {
        using var folder = new TempFolder();
        var (ml, data, _) = TinyTraining.Dataset(Path.Combine(folder.Path, "data"), images: 2, size: 32);
        var options = Options(5);
        options.LearningRate = options.BackboneLearningRate = 1e12; // diverges after the first update
        options.GradientClipNorm = 0;
        options.CheckpointDirectory = Path.Combine(folder.Path, "checkpoints");
        var e = Assert.Throws<DetrTrainingDivergedException>(() => ml.Detection().Trainers.Detr(options).Fit(data));
        Assert.Contains("epoch", e.Message);
        Assert.Contains("step", e.Message);
        Assert.True(TrainingCheckpoint.Exists(options.CheckpointDirectory));
    }

    [Fact]
    public void CancellationSavesAResumableCheckpoint()
    {
        using var folder = new TempFolder();
        var (ml, data, _) = TinyTraining.Dataset(Path.Combine(folder.Path, "data"), images: 4, size: 32);
        using var cancel = new CancellationTokenSource();
        var options = Options(3);
        options.CheckpointDirectory = Path.Combine(folder.Path, "checkpoints");
        options.CancellationToken = cancel.Token;
        options.Progress = new SynchronousProgress(p => { if (p.GlobalStep == 1) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Detection().Trainers.Detr(options).Fit(data));
        Assert.True(TrainingCheckpoint.Exists(options.CheckpointDirectory));
        options.CancellationToken = default;
        options.Progress = null;
        options.Resume = true;
        var resumed = ml.Detection().Trainers.Detr(options);
        resumed.Fit(data);
        Assert.Equal(6, resumed.LastRun!.Steps); // 3 epochs × 2 steps, counted from the start
    }

    [Fact]
    public void MemoryStaysFlatOverHundredsOfSteps()
    {
        using var folder = new TempFolder();
        var (ml, data, _) = TinyTraining.Dataset(Path.Combine(folder.Path, "data"), images: 2, size: 32);
        long? atStep50 = null, atStep250 = null;
        var options = Options(250);
        options.BatchSize = 2;
        options.Progress = new SynchronousProgress(p =>
        {
            if (p.GlobalStep is 50 or 250)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                long resident = Process.GetCurrentProcess().WorkingSet64;
                if (p.GlobalStep == 50) atStep50 = resident; else atStep250 = resident;
            }
        });
        ml.Detection().Trainers.Detr(options).Fit(data);
        long growth = atStep250!.Value - atStep50!.Value;
        Assert.True(growth < 64L << 20, $"resident memory grew by {growth >> 20} MB between steps 50 and 250");
    }

    sealed class SynchronousProgress(Action<DetrTrainingProgress> report) : IProgress<DetrTrainingProgress>
    {
        public void Report(DetrTrainingProgress value) => report(value);
    }
}
