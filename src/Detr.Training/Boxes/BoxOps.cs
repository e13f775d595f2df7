using Detr.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Boxes;

/// <summary>Box arithmetic on tensors of boxes [..., 4], as the reference's util/box_ops.py.</summary>
public static class BoxOps
{
    // Scalars held for the process rather than implicit temporaries, which libtorch can outlive (see FrozenBatchNorm2d).
    static readonly Scalar Half = 0.5.ToScalar(), Two = 2.0.ToScalar(), Zero = 0.0.ToScalar();

    /// <summary>cx,cy,w,h → x0,y0,x1,y1.</summary>
    public static Tensor CxCyWhToXyxy(Tensor boxes)
    {
        var parts = boxes.unbind(-1);
        return stack([parts[0].Minus(parts[2] * Half), parts[1].Minus(parts[3] * Half), parts[0].Plus(parts[2] * Half), parts[1].Plus(parts[3] * Half)], -1);
    }

    /// <summary>x0,y0,x1,y1 → cx,cy,w,h.</summary>
    public static Tensor XyxyToCxCyWh(Tensor boxes)
    {
        var parts = boxes.unbind(-1);
        return stack([parts[0].Plus(parts[2]) / Two, parts[1].Plus(parts[3]) / Two, parts[2].Minus(parts[0]), parts[3].Minus(parts[1])], -1);
    }

    /// <summary>Areas of x0,y0,x1,y1 boxes [N].</summary>
    public static Tensor Area(Tensor boxes) => boxes[.., 2].Minus(boxes[.., 0]) * boxes[.., 3].Minus(boxes[.., 1]);

    /// <summary>Pairwise IoU [N, M] and union [N, M] of x0,y0,x1,y1 boxes.</summary>
    public static (Tensor Iou, Tensor Union) Iou(Tensor boxes1, Tensor boxes2)
    {
        var area1 = Area(boxes1);
        var area2 = Area(boxes2);
        var leftTop = maximum(boxes1[.., TensorIndex.None, ..2], boxes2[.., ..2]);
        var rightBottom = minimum(boxes1[.., TensorIndex.None, 2..], boxes2[.., 2..]);
        var size = rightBottom.Minus(leftTop).clamp(min: Zero);
        var intersection = size[.., .., 0] * size[.., .., 1];
        var union = area1[.., TensorIndex.None].Plus(area2).Minus(intersection);
        return (intersection / union, union);
    }

    /// <summary>
    /// Pairwise generalised IoU [N, M] of x0,y0,x1,y1 boxes: IoU − (hull − union)/hull. Boxes with x1 &lt; x0 or y1 &lt; y0
    /// are refused, as the reference asserts: they mean the predictions or targets are corrupt.
    /// </summary>
    public static Tensor GeneralizedIou(Tensor boxes1, Tensor boxes2)
    {
        ThrowIfInverted(boxes1, nameof(boxes1));
        ThrowIfInverted(boxes2, nameof(boxes2));
        var (iou, union) = Iou(boxes1, boxes2);
        var leftTop = minimum(boxes1[.., TensorIndex.None, ..2], boxes2[.., ..2]);
        var rightBottom = maximum(boxes1[.., TensorIndex.None, 2..], boxes2[.., 2..]);
        var size = rightBottom.Minus(leftTop).clamp(min: Zero);
        var hull = size[.., .., 0] * size[.., .., 1];
        return iou.Minus(hull.Minus(union) / hull);
    }

    static void ThrowIfInverted(Tensor boxes, string name)
    {
        if (boxes.shape[0] == 0)
            return;
        // Written as "not (x1 >= x0)" so NaN coordinates fail too, as the reference's assertion does.
        using var inverted = (boxes[.., 2..] >= boxes[.., ..2]).logical_not().any();
        if (inverted.item<bool>())
            throw new ArgumentException($"Boxes in {name} have x1 < x0 or y1 < y0, or NaN coordinates; check the targets, or the predictions for a diverged model.", name);
    }
}
