using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// DETR's predictions: class logits [B,Q,C+1] (last = no object), boxes [B,Q,4] as sigmoid cx,cy,w,h normalised to
/// the unpadded image, and the same from each earlier decoder layer (ordered, excluding the last) for auxiliary losses.
/// </summary>
public sealed record DetrOutputs(Tensor Logits, Tensor Boxes, IReadOnlyList<(Tensor Logits, Tensor Boxes)> Auxiliary);
