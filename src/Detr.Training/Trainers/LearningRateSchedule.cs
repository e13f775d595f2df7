namespace Detr.Training.Trainers;

/// <summary>The reference's StepLR (γ = 0.1) as a pure function of the epoch, so resuming needs no scheduler state.</summary>
public static class LearningRateSchedule
{
    /// <summary>Learning rate in epoch <paramref name="epoch"/> (0-based): divided by 10 every <paramref name="dropEvery"/> epochs.</summary>
    public static double At(double baseRate, int epoch, int dropEvery) =>
        dropEvery <= 0 ? baseRate : baseRate * Math.Pow(0.1, epoch / dropEvery);
}
