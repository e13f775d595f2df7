using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Export;

/// <summary>A batch of two random images of different sizes, the smaller zero-padded to the larger as the collator pads.</summary>
static class PaddedBatch
{
    /// <summary>Images [2,3,H,W] (the first <paramref name="large"/>, the second <paramref name="small"/> in its top-left corner) and the padding mask [2,H,W] (true on padding).</summary>
    public static (Tensor Images, Tensor PaddingMask) Of((int Height, int Width) large, (int Height, int Width) small)
    {
        var images = zeros(2, 3, large.Height, large.Width);
        images[0] = randn(3, large.Height, large.Width);
        images[1, .., ..small.Height, ..small.Width] = randn(3, small.Height, small.Width);
        var mask = ones(2, large.Height, large.Width, ScalarType.Bool);
        mask[0] = false;
        mask[1, ..small.Height, ..small.Width] = false;
        return (images, mask);
    }
}
