using Detr.MLNet.Boxes;

namespace Detr.MLNet.Postprocessing;

/// <summary>Detections for one image: class ids (0-based), scores and x0,y0,x1,y1 boxes in original-image pixels.</summary>
public sealed record DetrDetections(int[] ClassIds, float[] Scores, float[] Boxes)
{
    /// <summary>No detections (an empty image or a skipped row).</summary>
    public static DetrDetections Empty { get; } = new([], [], []);

    /// <summary>Number of detections.</summary>
    public int Count => ClassIds.Length;

    /// <summary>
    /// Whether a detection with <paramref name="score"/> survives <paramref name="scoreThreshold"/>: above it, or any
    /// score but NaN when the threshold is 0 or below (so mAP evaluation keeps every candidate).
    /// </summary>
    public static bool Passes(float score, float scoreThreshold) =>
        score > scoreThreshold || (scoreThreshold <= 0 && !float.IsNaN(score));

    /// <summary>
    /// The detections of the chosen <paramref name="queries"/> (in output order) with their labels and scores, each
    /// query's normalised cx,cy,w,h box in <paramref name="boxes"/> [Q,4] turned into x0,y0,x1,y1 and scaled by
    /// <paramref name="scaleX"/>/<paramref name="scaleY"/> to original pixels, as the reference's box_cxcywh_to_xyxy · scale.
    /// </summary>
    public static DetrDetections FromQueries(ReadOnlySpan<int> queries, ReadOnlySpan<int> labels, ReadOnlySpan<float> scores,
        ReadOnlySpan<float> boxes, float scaleX, float scaleY)
    {
        var result = new DetrDetections(labels.ToArray(), scores.ToArray(), new float[queries.Length * 4]);
        for (int i = 0; i < queries.Length; i++)
        {
            int q = queries[i];
            var (x0, y0, x1, y1) = BoxConversions.CxCyWhToXyxy(boxes[q * 4], boxes[q * 4 + 1], boxes[q * 4 + 2], boxes[q * 4 + 3]);
            result.Boxes[i * 4] = x0 * scaleX;
            result.Boxes[i * 4 + 1] = y0 * scaleY;
            result.Boxes[i * 4 + 2] = x1 * scaleX;
            result.Boxes[i * 4 + 3] = y1 * scaleY;
        }
        return result;
    }
}
