namespace Detr.MLNet.Scoring;

/// <summary>A row whose image could not be read and was scored as no detections (<see cref="DetrScoringOptions.SkipUnreadableImages"/>).</summary>
/// <param name="Row">The row's position in the scored data view.</param>
/// <param name="ImagePath">The row's ImagePath, when the input has that column.</param>
/// <param name="Reason">Why the image could not be read (missing, too large, truncated, not an image).</param>
public sealed record DetrUnreadableImage(long Row, string? ImagePath, string Reason);
