using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>How far two results of the same computation are apart.</summary>
static class Agreement
{
    public static float MaxDifference(Tensor a, Tensor b)
    {
        using var difference = (a - b).abs().max();
        return difference.item<float>();
    }
}
