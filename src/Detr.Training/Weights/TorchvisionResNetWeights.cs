using Detr.Training.Modeling;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// An ImageNet classifier's state dictionary in torchvision's ResNet layout (conv1, bn1, layer1..layer4, fc), loaded
/// into DETR's backbone the way the reference starts training: the trunk's weights and batch-norm statistics, without
/// the classifier.
/// </summary>
internal static class TorchvisionResNetWeights
{
    static readonly string[] TrunkPrefixes = ["conv1.", "bn1.", "layer1.", "layer2.", "layer3.", "layer4."];

    /// <summary>
    /// Copies the trunk of <paramref name="weights"/> into <paramref name="backbone"/>, or throws, copying nothing, when
    /// the file is not a torchvision ResNet or not the backbone's depth and width.
    /// </summary>
    public static LoadReport Load(Backbone backbone, IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        RefuseOtherLayouts(weights.Keys, source);
        // The classifier has no place in the trunk (the loader itself passes over batch-norm step counters).
        var trunk = weights.Where(w => !w.Key.StartsWith("fc.", StringComparison.Ordinal)).ToDictionary(w => w.Key, w => w.Value, StringComparer.Ordinal);
        var report = StateDictLoader.Compare(backbone.Body, trunk);
        if (!report.IsExact)
            throw new InvalidDataException($"'{source}' does not fit the backbone: {report}. It is a torchvision ResNet of another " +
                "depth or width; pass the ImageNet checkpoint of the configured backbone (resnet18/34/50/101) or set " +
                "DetrConfig.Backbone to the checkpoint's depth.");
        return StateDictLoader.Load(backbone.Body, trunk, source: source);
    }

    static void RefuseOtherLayouts(IEnumerable<string> keys, string source)
    {
        var names = keys.ToList();
        if (names.Any(k => k.StartsWith("backbone.", StringComparison.Ordinal) || k.StartsWith("transformer.", StringComparison.Ordinal)))
            throw new InvalidDataException($"'{source}' is a whole DETR checkpoint, not an ImageNet ResNet; load it with " +
                "DetrWeights.LoadInto or DetrTrainerOptions.StartFromCheckpoint (detr train --from) instead.");
        var foreign = names.Where(k => !k.StartsWith("fc.", StringComparison.Ordinal) && !TrunkPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToList();
        if (foreign.Count > 0 || !names.Contains("conv1.weight"))
            throw new InvalidDataException($"'{source}' is not a torchvision ResNet state dict (conv1, bn1, layer1..layer4, fc)" +
                (foreign.Count > 0 ? $": it has {string.Join(", ", foreign.Take(5))}{(foreign.Count > 5 ? ", …" : "")}" : ": it has no conv1.weight") +
                ". Save one with torch.save(torchvision.models.resnet50(weights=...).state_dict(), path).");
    }
}
