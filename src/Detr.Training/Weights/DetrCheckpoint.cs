using System.Text.Json;
using System.Text.Json.Serialization;
using Detr.Training.Modeling;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// The project's own model file: one safetensors file holding the weights under the reference's names and, in its
/// metadata, the <see cref="DetrConfig"/> and class names, so it loads without any other information.
/// </summary>
public static class DetrCheckpoint
{
    const string ConfigKey = "detr.config";
    const string LabelsKey = "detr.labels";

    static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Writes <paramref name="model"/> and its class names atomically.</summary>
    public static void Save(DetrModel model, IReadOnlyList<string> labelNames, string path)
    {
        if (labelNames.Count != model.Config.NumClasses)
            throw new ArgumentException($"{labelNames.Count} label names for a model with {model.Config.NumClasses} classes.");
        SafetensorsFile.Write(path, model.state_dict(), new Dictionary<string, string>
        {
            [ConfigKey] = JsonSerializer.Serialize(model.Config, Json),
            [LabelsKey] = JsonSerializer.Serialize(labelNames),
        });
    }

    /// <summary>True when safetensors <paramref name="metadata"/> comes from a file written by <see cref="Save"/>.</summary>
    public static bool IsDetrCheckpoint(IReadOnlyDictionary<string, string> metadata) => metadata.ContainsKey(ConfigKey);

    /// <summary>Reads a checkpoint written by <see cref="Save"/>: the model (eval mode, on the CPU) and its class names.</summary>
    public static (DetrModel Model, IReadOnlyList<string> LabelNames) Load(string path)
    {
        var (tensors, metadata) = SafetensorsFile.Read(path);
        return FromTensors(tensors, metadata, path);
    }

    /// <summary>Builds the model from an already read checkpoint (the tensors are disposed).</summary>
    public static (DetrModel Model, IReadOnlyList<string> LabelNames) FromTensors(Dictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string> metadata, string source)
    {
        try
        {
            if (!metadata.TryGetValue(ConfigKey, out var configJson))
                throw new InvalidDataException($"{source} is a safetensors file without a Detr.Training configuration; load it with DetrWeights.Open and give the architecture.");
            var config = JsonSerializer.Deserialize<DetrConfig>(configJson, Json) ?? throw new InvalidDataException($"{source}: empty configuration.");
            var labels = metadata.TryGetValue(LabelsKey, out var labelsJson)
                ? JsonSerializer.Deserialize<string[]>(labelsJson) ?? []
                : Enumerable.Range(0, config.NumClasses).Select(i => $"class_{i}").ToArray();
            var model = new DetrModel(config);
            StateDictLoader.Load(model, tensors, source: source);
            model.eval();
            return (model, labels);
        }
        finally
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
        }
    }
}
