namespace Detr.Training.Trainers;

/// <summary>What a training run did: every progress report, how far it got and why it stopped.</summary>
public sealed record DetrTrainingResult(IReadOnlyList<DetrTrainingProgress> History, int EpochsCompleted, long Steps, bool StoppedByTimeLimit);
