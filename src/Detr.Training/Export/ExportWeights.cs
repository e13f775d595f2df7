namespace Detr.Training.Export;

/// <summary>A named float tensor copied out of a model: values in row-major order and the shape.</summary>
public sealed record NamedWeight(float[] Values, long[] Shape);

/// <summary>
/// The model's state dictionary under the reference's key names (<c>backbone.0.body.conv1.weight</c>, …), read by the
/// exporter; a missing key is reported by name.
/// </summary>
sealed class ExportWeights(IReadOnlyDictionary<string, NamedWeight> weights)
{
    public NamedWeight this[string key] => weights.TryGetValue(key, out var weight)
        ? weight
        : throw new KeyNotFoundException($"The model has no weight '{key}', which the ONNX export of this architecture needs.");

    public bool Contains(string key) => weights.ContainsKey(key);

    /// <summary>How many numbered children a module list has (e.g. <c>backbone.0.body.layer1.</c> → blocks).</summary>
    public int CountChildren(string prefix)
    {
        int count = 0;
        while (weights.Keys.Any(k => k.StartsWith($"{prefix}{count}.", StringComparison.Ordinal)))
            count++;
        return count;
    }

    /// <summary>A [out, in] linear weight transposed to [in, out] for MatMul.</summary>
    public static float[] Transposed(NamedWeight weight)
    {
        int rows = (int)weight.Shape[0], columns = (int)weight.Shape[1];
        var result = new float[weight.Values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                result[c * rows + r] = weight.Values[r * columns + c];
        return result;
    }
}
