using Detr.MLNet.Imaging;

namespace Detr.Training.Augmentation;

/// <summary>An image with its ground truth: x0,y0,x1,y1 pixel boxes (4 per box) and 0-based class indices.</summary>
public sealed record DetectionSample(RgbImage Image, float[] Boxes, int[] Labels)
{
    /// <summary>Number of boxes.</summary>
    public int Count => Labels.Length;
}
