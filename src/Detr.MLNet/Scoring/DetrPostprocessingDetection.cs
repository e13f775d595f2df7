using Detr.MLNet.Labels;

namespace Detr.MLNet.Scoring;

/// <summary>
/// Decides which post-processing a model's logits need when the options leave it to <see cref="DetrPostprocessing.Auto"/>:
/// the model's own <c>detr.postprocess</c> metadata first, then the shape of its logits.
/// </summary>
public static class DetrPostprocessingDetection
{
    /// <summary>Classes of COCO's detection heads (ids 0–90 with gaps): DETR's is one wider, with no-object.</summary>
    const int CocoClasses = 91;

    /// <summary>
    /// The post-processing for a model whose logits are <paramref name="logitsWidth"/> wide. With labels known
    /// (<paramref name="declaredLabelCount"/>, from the options, the metadata or a sidecar file) a width equal to the
    /// count means one sigmoid per class, one more means softmax with no-object. With none, a 91-wide head is taken
    /// for a sigmoid COCO model (transformers' and the reference's Deformable DETR; DETR's COCO head is 92 wide), anything
    /// else for DETR's softmax; set <see cref="DetrScoringOptions.Postprocessing"/> where that guess is wrong.
    /// </summary>
    public static DetrPostprocessing Resolve(DetrPostprocessing requested, IReadOnlyDictionary<string, string> metadata, int logitsWidth,
        int? declaredLabelCount)
    {
        if (requested != DetrPostprocessing.Auto)
            return requested;
        if (metadata.TryGetValue(DetrModelMetadataKeys.Postprocess, out var stated))
            return stated switch
            {
                DetrModelMetadataKeys.SoftmaxPostprocess => DetrPostprocessing.Softmax,
                DetrModelMetadataKeys.SigmoidPostprocess => DetrPostprocessing.SigmoidTopK,
                _ => throw new InvalidDataException(
                    $"The model's metadata {DetrModelMetadataKeys.Postprocess} = '{stated}' is neither '{DetrModelMetadataKeys.SoftmaxPostprocess}' " +
                    $"nor '{DetrModelMetadataKeys.SigmoidPostprocess}'; set the Postprocessing option."),
            };
        if (declaredLabelCount is int labels)
        {
            if (logitsWidth == labels)
                return DetrPostprocessing.SigmoidTopK;
            if (logitsWidth == labels + 1)
                return DetrPostprocessing.Softmax;
        }
        else if (logitsWidth == CocoClasses)
            return DetrPostprocessing.SigmoidTopK;
        // Widths that fit neither leave the label check to report the mismatch against DETR's layout.
        return DetrPostprocessing.Softmax;
    }

    /// <summary>Real classes in logits <paramref name="logitsWidth"/> wide: all of them, or all but no-object.</summary>
    public static int ClassCount(DetrPostprocessing postprocessing, int logitsWidth) =>
        postprocessing == DetrPostprocessing.SigmoidTopK ? logitsWidth : logitsWidth - 1;
}
