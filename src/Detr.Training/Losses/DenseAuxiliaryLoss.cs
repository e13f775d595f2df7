using Detr.Training.Boxes;
using Detr.Training.Matching;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Losses;

/// <summary>
/// The losses of the <see cref="DenseAuxiliaryHead"/>: ATSS (<see cref="AtssAssigner"/>) assigns each token to an
/// object or to the background; the sigmoid focal loss runs over every token on the image and every class, L1 and
/// 1 − GIoU over the positives' boxes, each divided by the number of positives (at least 1), as ATSS normalises.
/// </summary>
public static class DenseAuxiliaryLoss
{
    static readonly Scalar One = 1.0.ToScalar();

    /// <summary>The classification, L1 and GIoU terms of <paramref name="dense"/> against <paramref name="targets"/> (one per image).</summary>
    public static (Tensor Classification, Tensor L1, Tensor Giou) Compute(DenseOutputs dense, IReadOnlyList<DetrTarget> targets, int numClasses)
    {
        using var scope = NewDisposeScope();
        long batch = dense.Logits.shape[0], tokens = dense.Logits.shape[1];
        var device = dense.Logits.device;
        float[] anchors = dense.Anchors.detach().cpu().contiguous().data<float>().ToArray();
        bool[] valid = dense.Valid.cpu().contiguous().data<bool>().ToArray();
        var classes = new long[batch * tokens];
        Array.Fill(classes, numClasses); // the background column, dropped below
        var positives = new List<long>();
        var positiveBoxes = new List<float>();
        for (int b = 0; b < batch; b++)
        {
            // An image without objects is all background (and an empty tensor has no data to read).
            if (targets[b].Boxes.shape[0] == 0)
                continue;
            float[] boxes = targets[b].Boxes.cpu().contiguous().data<float>().ToArray();
            long[] labels = targets[b].Labels.cpu().contiguous().data<long>().ToArray();
            int offset = (int)(b * tokens);
            int[] assigned = AtssAssigner.Assign(anchors.AsSpan(offset * 4, (int)tokens * 4), dense.Levels, valid.AsSpan(offset, (int)tokens), boxes);
            for (int s = 0; s < tokens; s++)
            {
                if (assigned[s] < 0)
                    continue;
                classes[offset + s] = labels[assigned[s]];
                positives.Add(offset + s);
                positiveBoxes.AddRange(boxes.AsSpan(assigned[s] * 4, 4).ToArray());
            }
        }
        double count = Math.Max(positives.Count, 1);
        var onImage = dense.Valid.flatten().nonzero().squeeze(1);
        var logits = dense.Logits.flatten(0, 1).index_select(0, onImage);
        var oneHot = nn.functional.one_hot(tensor(classes, device: device).index_select(0, onImage), numClasses + 1)[.., TensorIndex.Slice(0, numClasses)];
        var classification = FocalLoss.Sum(logits, oneHot.to(logits.dtype), count);

        var predicted = dense.Boxes.flatten(0, 1).index_select(0, tensor(positives.ToArray(), device: device));
        var target = tensor(positiveBoxes.ToArray(), [positives.Count, 4], device: device);
        using var normaliser = count.ToScalar();
        var l1 = nn.functional.l1_loss(predicted, target, reduction: nn.Reduction.Sum) / normaliser;
        var giou = positives.Count == 0 ? zeros(1, device: device).sum()
            : BoxOps.GeneralizedIou(BoxOps.CxCyWhToXyxy(predicted), BoxOps.CxCyWhToXyxy(target)).diag().SubtractedFrom(One).sum() / normaliser;
        return (classification.MoveToOuterDisposeScope(), l1.MoveToOuterDisposeScope(), giou.MoveToOuterDisposeScope());
    }
}
