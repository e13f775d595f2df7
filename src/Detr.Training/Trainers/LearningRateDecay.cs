namespace Detr.Training.Trainers;

/// <summary>How the learning rates fall over a training run.</summary>
public enum LearningRateDecay
{
    /// <summary>
    /// The reference's: divided by 10 every <see cref="DetrTrainerOptions.LearningRateDropEpochs"/> epochs, and once
    /// more at <see cref="DetrTrainerOptions.LearningRateDropAtTimeFraction"/> of a time budget.
    /// </summary>
    Step,

    /// <summary>
    /// A cosine from the full rate to zero over the run: over its time budget when one is set (whichever of time and
    /// epochs runs out first), else over its epochs.
    /// </summary>
    Cosine,
}
