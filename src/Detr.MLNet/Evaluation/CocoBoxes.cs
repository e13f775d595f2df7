namespace Detr.MLNet.Evaluation;

/// <summary>A ground-truth box for COCO evaluation: COCO ids, x,y,w,h, the annotation's area and crowd flag, and its annotation id.</summary>
public readonly record struct CocoGroundTruthBox(int ImageId, int CategoryId, double X, double Y, double Width, double Height,
    double Area, bool IsCrowd, long Id = 0);

/// <summary>A detection for COCO evaluation: COCO ids, x,y,w,h and confidence.</summary>
public readonly record struct CocoDetection(int ImageId, int CategoryId, double X, double Y, double Width, double Height, double Score);

/// <summary>pycocotools' box IoU (maskUtils.iou on boxes), in double: a crowd ground truth counts the detection's area as the union.</summary>
public static class CocoBoxIou
{
    /// <summary>IoU of detection box d and ground-truth box g (x,y,w,h).</summary>
    public static double Compute(double dx, double dy, double dw, double dh, double gx, double gy, double gw, double gh, bool crowd)
    {
        double w = Math.Min(dx + dw, gx + gw) - Math.Max(dx, gx);
        if (w <= 0)
            return 0;
        double h = Math.Min(dy + dh, gy + gh) - Math.Max(dy, gy);
        if (h <= 0)
            return 0;
        double intersection = w * h;
        double detectionArea = dw * dh;
        double union = crowd ? detectionArea : detectionArea + gw * gh - intersection;
        return intersection / union;
    }
}
