using Detr.Training.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>What loading weights into a model matched and what it did not.</summary>
public sealed record LoadReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> ShapeMismatches, IReadOnlyList<string> Reinitialised)
{
    /// <summary>True when every model weight was found with the right shape and nothing was left over.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatches.Count == 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"{List("missing", Missing)}; {List("unexpected", Unexpected)}; {List("shape mismatches", ShapeMismatches)}; {List("re-initialised", Reinitialised)}";

    // The first few names say what went wrong; all of them stay in the lists.
    static string List(string what, IReadOnlyList<string> names) =>
        $"{names.Count} {what}" + (names.Count == 0 ? "" : $" [{string.Join(", ", names.Take(8))}{(names.Count > 8 ? ", …" : "")}]");
}

/// <summary>Copies a state dictionary (reference key names) into a DETR-family model, reporting every difference by name.</summary>
public static class StateDictLoader
{
    /// <summary>
    /// Loads <paramref name="weights"/>. With <paramref name="allowNewClassCount"/>, a class head of another size is
    /// left freshly initialised (fine-tuning to new classes) instead of being an error. Training-only modules
    /// (<c>denoising.*</c>) that the weights lack start fresh, and ones the model lacks are ignored. With <paramref name="strict"/>,
    /// anything missing, left over or mis-shaped throws one exception listing all of it, before any weight is copied.
    /// </summary>
    public static LoadReport Load(nn.Module model, IReadOnlyDictionary<string, Tensor> weights, bool strict = true,
        bool allowNewClassCount = false, string source = "checkpoint")
    {
        var report = Compare(model, weights, allowNewClassCount);
        if (strict && !report.IsExact)
            throw new InvalidDataException($"The {source} does not fit the model: {report}. " +
                "Check the architecture options (heads, dilation, pre-norm) or load with a new class count for fine-tuning.");
        using (no_grad())
        {
            foreach (var (name, target) in model.state_dict())
                if (weights.TryGetValue(name, out var value) && value.shape.SequenceEqual(target.shape))
                    target.copy_(value.to(target.dtype).to(target.device));
        }
        return report;
    }

    /// <summary>What <see cref="Load"/> would report, without copying anything.</summary>
    internal static LoadReport Compare(nn.Module model, IReadOnlyDictionary<string, Tensor> weights, bool allowNewClassCount = false)
    {
        var targets = model.state_dict();
        var missing = new List<string>();
        var mismatched = new List<string>();
        var reinitialised = new List<string>();
        foreach (var (name, target) in targets)
        {
            if (!weights.TryGetValue(name, out var value))
                (IsTrainingOnly(name) ? reinitialised : missing).Add(name);
            else if (value.shape.SequenceEqual(target.shape))
                continue; // fits
            else if (allowNewClassCount && (IsClassHead(name) || IsTrainingOnly(name)))
                reinitialised.Add(name);
            else
                mismatched.Add($"{name} (checkpoint [{string.Join(",", value.shape)}], model [{string.Join(",", target.shape)}])");
        }
        var unexpected = weights.Keys.Where(k => !targets.ContainsKey(k) && !k.EndsWith("num_batches_tracked", StringComparison.Ordinal) && !IsTrainingOnly(k))
            .Order(StringComparer.Ordinal).ToList();
        return new LoadReport(missing, unexpected, mismatched, reinitialised);
    }

    // Denoising queries' label embedding and position head, the dense auxiliary head: used in training only, so never needed to score.
    static bool IsTrainingOnly(string name) => name.StartsWith("denoising.", StringComparison.Ordinal) || name.StartsWith("dense_head.", StringComparison.Ordinal);

    // DETR's class head, Deformable DETR's per-layer ones, and two-stage's copies under the decoder.
    static bool IsClassHead(string name) =>
        name.StartsWith("class_embed.", StringComparison.Ordinal) || name.StartsWith("transformer.decoder.class_embed.", StringComparison.Ordinal);
}
