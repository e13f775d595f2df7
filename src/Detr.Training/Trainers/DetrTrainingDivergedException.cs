namespace Detr.Training.Trainers;

/// <summary>The loss became NaN or infinite; training stopped and the last good checkpoint was left in place.</summary>
public sealed class DetrTrainingDivergedException(string message) : Exception(message);
