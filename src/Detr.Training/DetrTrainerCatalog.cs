using Detr.MLNet;
using Detr.Training.Trainers;

namespace Detr.Training;

/// <summary>Adds DETR to <c>mlContext.Detection().Trainers</c>.</summary>
public static class DetrTrainerCatalog
{
    /// <summary>A DETR trainer: <c>Fit</c> trains with TorchSharp and returns the ONNX scoring transformer.</summary>
    public static DetrTrainer Detr(this DetectionTrainers trainers, DetrTrainerOptions? options = null) =>
        new(trainers.Context, options ?? new DetrTrainerOptions());
}
