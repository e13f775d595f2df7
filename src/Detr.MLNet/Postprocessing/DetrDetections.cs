namespace Detr.MLNet.Postprocessing;

/// <summary>Detections for one image: class ids (0-based), scores and x0,y0,x1,y1 boxes in original-image pixels.</summary>
public sealed record DetrDetections(int[] ClassIds, float[] Scores, float[] Boxes)
{
    /// <summary>No detections (an empty image or a skipped row).</summary>
    public static DetrDetections Empty { get; } = new([], [], []);

    /// <summary>Number of detections.</summary>
    public int Count => ClassIds.Length;
}
