namespace Detr.MLNet.Postprocessing;

/// <summary>
/// Deformable DETR's inference post-processing (its reference's <c>PostProcess</c>): a sigmoid per query and class, the
/// top k over all queries × classes (k = 100 there), label = index mod classes, the box of that query as
/// x0,y0,x1,y1 in original pixels; then the score threshold. Detections are best first (ties in flattened order).
/// </summary>
public static class SigmoidTopKPostprocessor
{
    /// <summary>The reference's k.</summary>
    public const int DefaultTopK = 100;

    /// <summary>
    /// Decodes one image: <paramref name="logits"/> [Q, C] (no no-object column), <paramref name="boxes"/> [Q, 4]
    /// normalised cx,cy,w,h; k is <paramref name="maxDetections"/> or <see cref="DefaultTopK"/>, at most Q·C.
    /// </summary>
    public static DetrDetections Decode(ReadOnlySpan<float> logits, ReadOnlySpan<float> boxes, int queries, int classes,
        float scaleX, float scaleY, float scoreThreshold, int? maxDetections)
    {
        if (classes < 1)
            throw new ArgumentOutOfRangeException(nameof(classes), "A sigmoid head has at least one class.");
        int count = queries * classes;
        int k = Math.Min(maxDetections ?? DefaultTopK, count);
        var order = new int[count];
        for (int i = 0; i < count; i++)
            order[i] = i;
        // Sorting logits orders the sigmoids the same way; a stable sort keeps ties in flattened order.
        var keys = logits[..count].ToArray();
        var top = order.OrderByDescending(i => keys[i]).Take(k)
            .Where(i => Sigmoid(keys[i]) is var p && (p > scoreThreshold || (scoreThreshold <= 0 && !float.IsNaN(p)))).ToArray();

        var result = new DetrDetections(new int[top.Length], new float[top.Length], new float[top.Length * 4]);
        for (int d = 0; d < top.Length; d++)
        {
            int q = top[d] / classes;
            result.ClassIds[d] = top[d] % classes;
            result.Scores[d] = Sigmoid(keys[top[d]]);
            NormalisedBoxes.ToPixelCorners(boxes, q, scaleX, scaleY, result.Boxes.AsSpan(d * 4, 4));
        }
        return result;
    }

    static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
