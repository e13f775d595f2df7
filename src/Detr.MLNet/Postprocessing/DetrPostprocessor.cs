namespace Detr.MLNet.Postprocessing;

/// <summary>
/// DETR's inference post-processing (the reference's <c>PostProcess</c>): softmax over classes, drop the last
/// (no-object) column, score = max, label = argmax, cx,cy,w,h → x0,y0,x1,y1 scaled to the original image.
/// Then the score threshold and an optional cap; detections are returned best first (ties keep query order).
/// Deformable DETR's sigmoid heads take <see cref="DetrSigmoidPostprocessor"/> instead.
/// </summary>
public static class DetrPostprocessor
{
    /// <summary>
    /// Decodes one image's queries. <paramref name="logits"/> is [Q, C+1], <paramref name="boxes"/> is [Q, 4] (normalised
    /// cx,cy,w,h); <paramref name="scaleX"/>/<paramref name="scaleY"/> map a normalised coordinate to original pixels.
    /// </summary>
    public static DetrDetections Decode(ReadOnlySpan<float> logits, ReadOnlySpan<float> boxes, int queries, int classesWithNoObject,
        float scaleX, float scaleY, float scoreThreshold, int? maxDetections)
    {
        if (classesWithNoObject < 2)
            throw new ArgumentOutOfRangeException(nameof(classesWithNoObject), "A DETR head has at least one class plus no-object.");
        var scores = new float[queries];
        var labels = new int[queries];
        for (int q = 0; q < queries; q++)
        {
            var row = logits.Slice(q * classesWithNoObject, classesWithNoObject);
            (labels[q], scores[q]) = BestClass(row);
        }

        var kept = new List<int>(queries);
        for (int q = 0; q < queries; q++)
            if (DetrDetections.Passes(scores[q], scoreThreshold))
                kept.Add(q);
        // Stable: best first, equal scores in query order.
        var order = kept.OrderByDescending(q => scores[q]).ToArray();
        if (maxDetections is int cap && order.Length > cap)
            order = order[..cap];
        return DetrDetections.FromQueries(order, order.Select(q => labels[q]).ToArray(), order.Select(q => scores[q]).ToArray(),
            boxes, scaleX, scaleY);
    }

    /// <summary>Softmax over all columns, then the most probable real class (the last column is no-object).</summary>
    public static (int Label, float Score) BestClass(ReadOnlySpan<float> logitsRow)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logitsRow)
            max = Math.Max(max, v);
        float sum = 0;
        foreach (float v in logitsRow)
            sum += MathF.Exp(v - max);
        int best = 0;
        float bestLogit = float.NegativeInfinity;
        for (int c = 0; c < logitsRow.Length - 1; c++)
        {
            if (logitsRow[c] > bestLogit)
            {
                bestLogit = logitsRow[c];
                best = c;
            }
        }
        return (best, MathF.Exp(bestLogit - max) / sum);
    }
}
