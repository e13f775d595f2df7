namespace Detr.Training.Trainers;

/// <summary>
/// The learning-rate factors as pure functions of where training stands, so resuming needs no scheduler state: the
/// reference's StepLR (γ = 0.1), a cosine decay, and a linear warm-up.
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>Learning rate in epoch <paramref name="epoch"/> (0-based): divided by 10 every <paramref name="dropEvery"/> epochs.</summary>
    public static double At(double baseRate, int epoch, int dropEvery) =>
        dropEvery <= 0 ? baseRate : baseRate * Math.Pow(0.1, epoch / dropEvery);

    /// <summary>The cosine decay's factor at <paramref name="progress"/> (0 at the start, 1 at the end): from 1 down to 0.</summary>
    public static double Cosine(double progress) => 0.5 * (1 + Math.Cos(Math.PI * Math.Clamp(progress, 0, 1)));

    /// <summary>The linear warm-up's factor in step <paramref name="step"/> (0-based) of <paramref name="warmupSteps"/>; 1 after them, or without one.</summary>
    public static double Warmup(long step, int warmupSteps) => warmupSteps <= 0 ? 1 : Math.Min(1, (step + 1) / (double)warmupSteps);
}
