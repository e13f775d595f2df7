namespace Detr.Training.Trainers;

/// <summary>One progress report of the trainer: where it is, the losses of the last step, speed and time left.</summary>
public sealed record DetrTrainingProgress
{
    /// <summary>Epoch, 1-based.</summary>
    public required int Epoch { get; init; }

    /// <summary>Total epochs planned.</summary>
    public required int Epochs { get; init; }

    /// <summary>Step within the epoch, 1-based.</summary>
    public required int Step { get; init; }

    /// <summary>Steps per epoch.</summary>
    public required int StepsPerEpoch { get; init; }

    /// <summary>Steps done since training began (resumed runs count from the start).</summary>
    public required long GlobalStep { get; init; }

    /// <summary>Weighted total loss of the step.</summary>
    public required double Loss { get; init; }

    /// <summary>Each loss term (loss_ce, loss_bbox, loss_giou, class_error, cardinality_error, and the _i auxiliary ones).</summary>
    public required IReadOnlyDictionary<string, double> Terms { get; init; }

    /// <summary>Learning rate of the transformer and heads.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Images per second over the epoch so far.</summary>
    public required double ImagesPerSecond { get; init; }

    /// <summary>Steps so far whose gradients were non-finite and which were therefore skipped (weights left as they were).</summary>
    public long SkippedSteps { get; init; }

    /// <summary>Estimated time to the end of training.</summary>
    public required TimeSpan Remaining { get; init; }

    /// <summary>The process's resident memory (working set) when the report was made, in bytes.</summary>
    public long ResidentBytes { get; init; } = Environment.WorkingSet;

    /// <summary>Validation metrics when this report closes an evaluated epoch (e.g. AP, AP50), else null.</summary>
    public IReadOnlyDictionary<string, double>? Validation { get; init; }
}
