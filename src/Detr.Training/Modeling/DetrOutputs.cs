using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// A DETR-family model's predictions: class logits [B,Q,C+1] (softmax, last = no object) or [B,Q,C] (sigmoid), boxes
/// [B,Q,4] as sigmoid cx,cy,w,h normalised to the unpadded image, the same from each earlier decoder layer (ordered,
/// excluding the last) for auxiliary losses, in two-stage Deformable DETR the encoder's proposals, in denoising
/// training what the denoising queries reconstructed, and with a dense auxiliary head its per-token predictions.
/// </summary>
public sealed record DetrOutputs(Tensor Logits, Tensor Boxes, IReadOnlyList<(Tensor Logits, Tensor Boxes)> Auxiliary,
    (Tensor Logits, Tensor Boxes)? Encoder = null, Deformable.Denoising.DenoisingOutputs? Denoising = null, Deformable.DenseOutputs? Dense = null);
