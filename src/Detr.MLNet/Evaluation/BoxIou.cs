namespace Detr.MLNet.Evaluation;

/// <summary>
/// Intersection over union of two [x, y, w, h] boxes, operation for operation as pycocotools' C <c>bbIou</c>
/// (so results agree to the last bit): a crowd ground truth uses the detection's own area as the union, because a
/// crowd region stands for many objects and a detection covering part of it should not be penalised for the rest.
/// </summary>
internal static class BoxIou
{
    /// <summary>IoU of a detection box with a ground-truth box; 0 when they do not overlap.</summary>
    public static double Compute(
        double dx, double dy, double dw, double dh,
        double gx, double gy, double gw, double gh,
        bool groundTruthIsCrowd)
    {
        double overlapWidth = Math.Min(dw + dx, gw + gx) - Math.Max(dx, gx);
        if (overlapWidth <= 0)
        {
            return 0;
        }

        double overlapHeight = Math.Min(dh + dy, gh + gy) - Math.Max(dy, gy);
        if (overlapHeight <= 0)
        {
            return 0;
        }

        double intersection = overlapWidth * overlapHeight;
        double detectionArea = dw * dh;
        double union = groundTruthIsCrowd ? detectionArea : detectionArea + gw * gh - intersection;
        return intersection / union;
    }
}
