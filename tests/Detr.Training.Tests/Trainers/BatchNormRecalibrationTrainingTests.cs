using Detr.MLNet;
using Detr.Training.Modeling;
using Detr.Training.Trainers;

namespace Detr.Training.Tests.Trainers;

public class BatchNormRecalibrationTrainingTests
{
    [Fact]
    public void TrainingEndsWithRecalibratedStatisticsAndTheSameWeights()
    {
        using var folder = new TempFolder();
        var (ml, data, _) = TinyTraining.Dataset(folder.Path, images: 4);
        DetectionTransformer Train(int recalibrationImages)
        {
            var trainer = ml.Detection().Trainers.Detr(new DetrTrainerOptions
            {
                Model = TinyTraining.DeformableModel with { BackboneNorms = BackboneNorms.Batch },
                Epochs = 2, BatchSize = 2, LearningRate = 1e-3, BackboneLearningRate = 1e-3,
                Augmentation = TinyTraining.Fixed(64), BatchNormRecalibrationImages = recalibrationImages,
            });
            trainer.Fit(data);
            return trainer.TrainedModel!;
        }

        var running = Train(0).state_dict();
        var recalibrated = Train(4).state_dict();
        foreach (var (name, value) in running)
        {
            bool statistic = name.Contains("backbone") && (name.EndsWith("running_mean") || name.EndsWith("running_var"));
            bool same = value.eq(recalibrated[name]).all().item<bool>();
            Assert.True(statistic ? !same : same, $"{name}: {(same ? "unchanged" : "changed")}");
        }
    }
}
