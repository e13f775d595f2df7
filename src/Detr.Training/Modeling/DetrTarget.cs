using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>Ground truth of one image: class indices int64 [n] and boxes float32 [n,4] as cx,cy,w,h in 0..1.</summary>
public sealed record DetrTarget(Tensor Labels, Tensor Boxes);
