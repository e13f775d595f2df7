using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// Fuses separate q/k/v projections (<c>….q_proj.weight</c>, <c>k_proj</c>, <c>v_proj</c>, as transformers stores
/// attention) into PyTorch's <c>in_proj_weight</c>/<c>in_proj_bias</c> of the same prefix, as the references store it.
/// </summary>
static partial class AttentionProjectionFusion
{
    /// <summary>
    /// <paramref name="weights"/> with every complete q/k/v triple fused (the parts are disposed); an incomplete triple
    /// keeps its names, so loading reports it. Takes ownership of the tensors.
    /// </summary>
    public static Dictionary<string, Tensor> Fuse(Dictionary<string, Tensor> weights)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var parts = new Dictionary<(string Prefix, string Kind), Tensor?[]>();
        foreach (var (key, value) in weights)
        {
            var match = Projection().Match(key);
            if (!match.Success)
            {
                result[key] = value;
                continue;
            }
            var slot = (match.Groups["prefix"].Value, match.Groups["kind"].Value);
            if (!parts.TryGetValue(slot, out var triple))
                parts[slot] = triple = new Tensor?[3];
            triple[match.Groups["proj"].Value switch { "q" => 0, "k" => 1, _ => 2 }] = value;
        }
        string[] letters = ["q", "k", "v"];
        foreach (var ((prefix, kind), triple) in parts)
        {
            if (triple.Any(p => p is null))
            {
                for (var i = 0; i < 3; i++)
                    if (triple[i] is { } part)
                        result[$"{prefix}.{letters[i]}_proj.{kind}"] = part;
                continue;
            }
            result[$"{prefix}.in_proj_{kind}"] = cat([triple[0]!, triple[1]!, triple[2]!], 0);
            foreach (var part in triple)
                part!.Dispose();
        }
        return result;
    }

    [GeneratedRegex(@"^(?<prefix>.+)\.(?<proj>[qkv])_proj\.(?<kind>weight|bias)$")]
    private static partial Regex Projection();
}
