using Detr.Training.Boxes;
using Detr.Training.Losses;
using Detr.Training.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Matching;

/// <summary>Matched pairs of one image: query indices and target indices, ascending by query as the reference returns them.</summary>
public sealed record MatchedIndices(long[] Queries, long[] Targets);

/// <summary>
/// DETR's bipartite matcher: cost = w_class·class cost + w_bbox·L1(cx,cy,w,h) + w_giou·(−GIoU), computed for the whole
/// batch in TorchSharp without gradients, then an exact assignment per image on the CPU. The class cost is DETR's
/// −softmax(p)[target] or, for sigmoid models (Deformable DETR), the focal form
/// α(1−p)^γ(−log p) − (1−α)p^γ(−log(1−p)) at the target class.
/// </summary>
public sealed class HungarianMatcher
{
    static readonly Scalar Alpha = FocalLoss.Alpha.ToScalar(), OneMinusAlpha = (1 - FocalLoss.Alpha).ToScalar(),
        Gamma = FocalLoss.Gamma.ToScalar(), One = 1.0.ToScalar(), Tiny = 1e-8.ToScalar();

    /// <summary>A matcher with the given cost weights (DETR's defaults are 1, 5, 2; Deformable DETR's 2, 5, 2 with the focal class cost).</summary>
    public HungarianMatcher(double classCost = 1, double boxCost = 5, double giouCost = 2, ClassificationKind classification = ClassificationKind.SoftmaxWithNoObject)
    {
        if (classCost == 0 && boxCost == 0 && giouCost == 0)
            throw new ArgumentException("At least one matching cost weight must be non-zero.");
        (ClassCost, BoxCost, GiouCost, Classification) = (classCost, boxCost, giouCost, classification);
    }

    /// <summary>Whether the logits are softmax (with no-object) or sigmoid scores, which decides the class cost.</summary>
    public ClassificationKind Classification { get; }

    /// <summary>Weight of the classification cost.</summary>
    public double ClassCost { get; }

    /// <summary>Weight of the L1 box cost.</summary>
    public double BoxCost { get; }

    /// <summary>Weight of the generalised-IoU cost.</summary>
    public double GiouCost { get; }

    /// <summary>The optimal matching per image for logits [B,Q,C+1] and boxes [B,Q,4].</summary>
    public IReadOnlyList<MatchedIndices> Match(Tensor logits, Tensor boxes, IReadOnlyList<DetrTarget> targets)
    {
        long batch = logits.shape[0], queries = logits.shape[1];
        var sizes = targets.Select(t => (int)t.Labels.shape[0]).ToArray();
        if (sizes.Sum() == 0)
            return targets.Select(_ => new MatchedIndices([], [])).ToArray();
        double[] cost;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var predicted = boxes.flatten(0, 1);
            var targetIds = cat(targets.Select(t => t.Labels).ToArray());
            var targetBoxes = cat(targets.Select(t => t.Boxes).ToArray());
            var classCost = Classification == ClassificationKind.Sigmoid
                ? FocalClassCost(logits.flatten(0, 1).sigmoid()).index_select(1, targetIds)
                : -logits.flatten(0, 1).softmax(-1).index_select(1, targetIds);
            var boxCost = cdist(predicted, targetBoxes, p: 1);
            var giouCost = -BoxOps.GeneralizedIou(BoxOps.CxCyWhToXyxy(predicted), BoxOps.CxCyWhToXyxy(targetBoxes));
            using var wBox = BoxCost.ToScalar();
            using var wClass = ClassCost.ToScalar();
            using var wGiou = GiouCost.ToScalar();
            var total = boxCost * wBox + classCost * wClass + giouCost * wGiou;
            cost = total.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        }
        int allTargets = sizes.Sum();
        var result = new MatchedIndices[batch];
        int offset = 0;
        for (int b = 0; b < batch; b++)
        {
            var matrix = new double[queries, sizes[b]];
            for (int q = 0; q < queries; q++)
                for (int t = 0; t < sizes[b]; t++)
                    matrix[q, t] = cost[(b * queries + q) * allTargets + offset + t];
            var (rows, columns) = LinearSumAssignment.Solve(matrix);
            result[b] = new MatchedIndices(rows.Select(r => (long)r).ToArray(), columns.Select(c => (long)c).ToArray());
            offset += sizes[b];
        }
        return result;
    }

    // The focal loss's cost of calling each class positive rather than negative, per prediction and class.
    static Tensor FocalClassCost(Tensor p)
    {
        var negative = p.pow(Gamma) * OneMinusAlpha * (p.SubtractedFrom(One).Plus(Tiny).log().neg());
        var positive = p.SubtractedFrom(One).pow(Gamma) * Alpha * (p.Plus(Tiny).log().neg());
        return positive.Minus(negative);
    }
}
