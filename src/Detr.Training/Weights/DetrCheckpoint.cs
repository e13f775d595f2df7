using System.Text.Json;
using System.Text.Json.Serialization;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// The project's own model file: one safetensors file holding the weights under the reference's names and, in its
/// metadata, the architecture's name and configuration (<see cref="DetrConfig"/> or <see cref="DeformableDetrConfig"/>)
/// and the class names, so it loads without any other information. Files without an architecture name are DETR
/// (written before Deformable DETR existed).
/// </summary>
public static class DetrCheckpoint
{
    const string ConfigKey = "detr.config";
    const string LabelsKey = "detr.labels";
    const string ArchitectureKey = "detr.architecture";

    static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Writes <paramref name="model"/> and its class names atomically.</summary>
    public static void Save(DetectionTransformer model, IReadOnlyList<string> labelNames, string path)
    {
        var architecture = model.Architecture;
        if (labelNames.Count != architecture.NumClasses)
            throw new ArgumentException($"{labelNames.Count} label names for a model with {architecture.NumClasses} classes.");
        SafetensorsFile.Write(path, model.state_dict(), new Dictionary<string, string>
        {
            [ArchitectureKey] = architecture.Name,
            [ConfigKey] = JsonSerializer.Serialize(architecture, architecture.GetType(), Json),
            [LabelsKey] = JsonSerializer.Serialize(labelNames),
        });
    }

    /// <summary>True when safetensors <paramref name="metadata"/> comes from a file written by <see cref="Save"/>.</summary>
    public static bool IsDetrCheckpoint(IReadOnlyDictionary<string, string> metadata) => metadata.ContainsKey(ConfigKey);

    /// <summary>Reads a checkpoint written by <see cref="Save"/>: the model (eval mode, on the CPU) and its class names.</summary>
    public static (DetectionTransformer Model, IReadOnlyList<string> LabelNames) Load(string path)
    {
        var (tensors, metadata) = SafetensorsFile.Read(path);
        return FromTensors(tensors, metadata, path);
    }

    /// <summary>Builds the model from an already read checkpoint (the tensors are disposed).</summary>
    public static (DetectionTransformer Model, IReadOnlyList<string> LabelNames) FromTensors(Dictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string> metadata, string source)
    {
        try
        {
            var config = ArchitectureOf(metadata, source);
            var labels = metadata.TryGetValue(LabelsKey, out var labelsJson)
                ? JsonSerializer.Deserialize<string[]>(labelsJson) ?? []
                : Enumerable.Range(0, config.NumClasses).Select(i => $"class_{i}").ToArray();
            var model = config.CreateModel();
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

    /// <summary>The architecture stored in a checkpoint's metadata (DETR when it names none: files from before Deformable DETR).</summary>
    public static IDetrArchitecture ArchitectureOf(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(ConfigKey, out var configJson))
            throw new InvalidDataException($"{source} is a safetensors file without a Detr.Training configuration; load it with DetrWeights.Open and give the architecture.");
        string architectureName = metadata.GetValueOrDefault(ArchitectureKey, "detr");
        IDetrArchitecture? config = architectureName switch
        {
            "detr" => JsonSerializer.Deserialize<DetrConfig>(configJson, Json),
            "deformable" => JsonSerializer.Deserialize<DeformableDetrConfig>(configJson, Json),
            _ => throw new InvalidDataException($"{source}: architecture '{architectureName}' is not one this version knows (detr, deformable); it was written by a newer Detr.Training."),
        };
        return config ?? throw new InvalidDataException($"{source}: empty configuration.");
    }
}
