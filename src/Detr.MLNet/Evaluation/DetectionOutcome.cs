namespace Detr.MLNet.Evaluation;

/// <summary>What one detection counts as at one IoU threshold and area range.</summary>
internal enum DetectionOutcome : byte
{
    /// <summary>Unmatched (or, as in pycocotools, matched to an annotation with id 0) and inside the area range.</summary>
    FalsePositive = 0,

    /// <summary>Matched to a ground truth that counts.</summary>
    TruePositive = 1,

    /// <summary>
    /// Matched to an ignored ground truth (crowd, flagged, or outside the area range), or unmatched with its own area
    /// outside the range. It still occupies a rank in the precision/recall curve but adds neither a TP nor an FP.
    /// </summary>
    Ignored = 2,
}
