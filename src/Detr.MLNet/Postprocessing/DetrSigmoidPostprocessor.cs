namespace Detr.MLNet.Postprocessing;

/// <summary>
/// Deformable DETR's inference post-processing (the reference's sigmoid <c>PostProcess</c>): a sigmoid per class, the
/// top 100 over queries × classes flattened (so one query can give several detections, one per class), label = index
/// mod classes, box = that query's cx,cy,w,h → x0,y0,x1,y1 scaled to the original image; then the score threshold.
/// </summary>
public static class DetrSigmoidPostprocessor
{
    /// <summary>How many (query, class) pairs the reference keeps: <c>torch.topk(prob.view(N, -1), 100)</c>.</summary>
    public const int ReferenceTopK = 100;

    /// <summary>
    /// Decodes one image's queries. <paramref name="logits"/> is [Q, C] (no no-object column), <paramref name="boxes"/>
    /// [Q, 4] (normalised cx,cy,w,h); <paramref name="scaleX"/>/<paramref name="scaleY"/> map a normalised coordinate
    /// to original pixels. The top-k takes min(<paramref name="maxDetections"/> ?? 100, Q·C) pairs (the reference's
    /// topk(100) needs Q·C ≥ 100); those above <paramref name="scoreThreshold"/> are returned best first, equal scores
    /// in flattened (query-major) order.
    /// </summary>
    public static DetrDetections Decode(ReadOnlySpan<float> logits, ReadOnlySpan<float> boxes, int queries, int classes,
        float scaleX, float scaleY, float scoreThreshold, int? maxDetections)
    {
        if (classes < 1)
            throw new ArgumentOutOfRangeException(nameof(classes), "A sigmoid head has at least one class.");
        int pairs = queries * classes;
        int k = Math.Min(maxDetections ?? ReferenceTopK, pairs);
        var probabilities = new float[pairs];
        // Thresholding before the top-k keeps the same pairs (a score passes or fails whatever its rank) and leaves
        // only the few above a usual threshold to sort.
        var candidates = new List<int>();
        for (int i = 0; i < pairs; i++)
        {
            probabilities[i] = 1f / (1f + MathF.Exp(-logits[i]));
            if (DetrDetections.Passes(probabilities[i], scoreThreshold))
                candidates.Add(i);
        }
        candidates.Sort((a, b) => probabilities[a] != probabilities[b] ? probabilities[b].CompareTo(probabilities[a]) : a.CompareTo(b));
        int count = Math.Min(k, candidates.Count);
        var chosenQueries = new int[count];
        var labels = new int[count];
        var scores = new float[count];
        for (int i = 0; i < count; i++)
        {
            int index = candidates[i];
            (chosenQueries[i], labels[i], scores[i]) = (index / classes, index % classes, probabilities[index]);
        }
        return DetrDetections.FromQueries(chosenQueries, labels, scores, boxes, scaleX, scaleY);
    }
}
