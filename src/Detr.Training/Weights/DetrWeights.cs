using Detr.Training.Modeling;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>Loads weights from any supported file into a model: Detr.Training checkpoints, reference <c>.pth</c> checkpoints, and safetensors with the reference's or transformers' key names.</summary>
public static class DetrWeights
{
    /// <summary>
    /// Copies the weights in <paramref name="path"/> into <paramref name="model"/>. With <paramref name="allowNewClassCount"/>
    /// a class head of another size stays freshly initialised (fine-tuning to new classes).
    /// </summary>
    public static LoadReport LoadInto(DetectionTransformer model, string path, bool allowNewClassCount = false) =>
        WithStateDict(path, tensors => StateDictLoader.Load(model, tensors, strict: true, allowNewClassCount: allowNewClassCount, source: path));

    /// <summary>
    /// Copies an ImageNet ResNet into <paramref name="model"/>'s backbone, as the reference starts training: a torchvision
    /// state dict (<c>torch.save(resnet50(weights=...).state_dict(), path)</c>, or the same as safetensors) whose
    /// classifier (<c>fc</c>) and batch-norm counters are dropped. The rest of the model is left as it is. Throws
    /// <see cref="InvalidDataException"/>, copying nothing, for anything else (a whole DETR checkpoint, another depth or
    /// width), naming what does not fit.
    /// </summary>
    public static LoadReport LoadBackbone(DetectionTransformer model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        return WithStateDict(path, tensors => TorchvisionResNetWeights.Load(model.Backbone, tensors, path));
    }

    /// <summary>
    /// A model from any supported checkpoint: a Detr.Training checkpoint carries its configuration; otherwise the
    /// architecture (DETR or Deformable DETR) is read off the weights, with <paramref name="heads"/>,
    /// <paramref name="dilation"/> and, for two-stage Deformable DETR, <paramref name="queries"/> from the caller, and
    /// <paramref name="numClasses"/> (when given and different) re-initialises the class head.
    /// </summary>
    public static (DetectionTransformer Model, IReadOnlyList<string>? LabelNames, LoadReport Report) Open(string path, int heads = 8, bool dilation = false,
        int? numClasses = null, int? queries = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Checkpoint not found: '{path}'.", path);
        if (numClasses is null && path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            var (saved, metadata) = SafetensorsFile.Read(path);
            if (DetrCheckpoint.IsDetrCheckpoint(metadata))
            {
                var (own, labels) = DetrCheckpoint.FromTensors(saved, metadata, path);
                return (own, labels, new LoadReport([], [], [], []));
            }
            foreach (var t in saved.Values)
                t.Dispose();
        }
        return WithStateDict(path, tensors =>
        {
            var config = ArchitectureInference.InferAny(tensors, heads, dilation, queries);
            if (numClasses is int classes)
                config = config.WithNumClasses(classes);
            var model = config.CreateModel();
            var report = StateDictLoader.Load(model, tensors, strict: true, allowNewClassCount: numClasses is not null, source: path);
            model.eval();
            return (model, (IReadOnlyList<string>?)null, report);
        });
    }

    /// <summary>
    /// The architecture of the checkpoint in <paramref name="path"/> without building the model: a Detr.Training
    /// checkpoint's stored configuration, or what <see cref="ArchitectureInference.InferAny"/> reads off the weights.
    /// </summary>
    public static IDetrArchitecture ArchitectureOf(string path, int heads = 8, bool dilation = false, int? queries = null)
    {
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            var (saved, metadata) = SafetensorsFile.Read(path);
            try
            {
                if (DetrCheckpoint.IsDetrCheckpoint(metadata))
                    return DetrCheckpoint.ArchitectureOf(metadata, path);
            }
            finally
            {
                foreach (var t in saved.Values)
                    t.Dispose();
            }
        }
        return WithStateDict(path, tensors => ArchitectureInference.InferAny(tensors, heads, dilation, queries));
    }

    // The weights are copied into the model, so the file's tensors are freed as soon as they are.
    static T WithStateDict<T>(string path, Func<Dictionary<string, Tensor>, T> use)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Checkpoint not found: '{path}'.", path);
        var tensors = ReadStateDict(path);
        try
        {
            return use(tensors);
        }
        finally
        {
            foreach (var t in tensors.Values)
                t.Dispose();
        }
    }

    /// <summary>The state dictionary in <paramref name="path"/>, under the reference's key names.</summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        Dictionary<string, Tensor> tensors;
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            tensors = SafetensorsFile.Read(path).Tensors;
        else if (path.EndsWith(".pth", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pt", StringComparison.OrdinalIgnoreCase)
                 || path.EndsWith(".bin", StringComparison.OrdinalIgnoreCase))
            tensors = TorchCheckpointReader.LoadStateDict(path); // torch.save files; only tensors and containers are unpickled
        else
            throw new NotSupportedException($"'{path}': unsupported checkpoint format; use .pth (torch.save) or .safetensors.");
        // transformers' Deformable DETR names share some prefixes with its DETR names: recognised first.
        if (DeformableTransformersKeyMap.IsTransformersLayout(tensors.Keys))
            return DeformableTransformersKeyMap.ToReference(tensors);
        if (!TransformersKeyMap.IsTransformersLayout(tensors.Keys))
            return tensors;
        // transformers' DETR names → the reference's, q/k/v fused; it takes over the tensors (renamed ones move, fused ones are freed).
        return TransformersKeyMap.ToReference(tensors);
    }
}
