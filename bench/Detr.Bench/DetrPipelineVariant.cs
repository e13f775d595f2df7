using Detr.MLNet;
using Detr.MLNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Detr.Bench;

/// <summary>
/// (ours) The ML.NET pipeline LoadImages → ApplyDetr, every output column read through a cursor: includes PNG
/// decoding, the reference resize (Pillow-exact bilinear to 800×1066), ImageNet normalisation, the ONNX Runtime run
/// and DETR post-processing (softmax, threshold, boxes in original pixels).
/// </summary>
sealed class DetrPipelineVariant : IScoringVariant
{
    readonly MLContext _ml = new(seed: 0);
    readonly ITransformer _model;
    readonly int _batchSize;
    readonly string? _label;
    readonly DetrExecutionDevice _device;

    /// <summary>The pipeline on <paramref name="device"/>; <paramref name="label"/> (e.g. "cuda-fp16") goes into its name.</summary>
    public DetrPipelineVariant(string modelPath, int batchSize, int threads, GraphOptimizationLevel optimization, string samplePath,
        DetrExecutionDevice device = DetrExecutionDevice.Cpu, string? label = null, int gpu = 0)
    {
        _batchSize = batchSize;
        _label = label;
        _device = device;
        var options = new DetrScoringOptions
        {
            ModelPath = modelPath,
            BatchSize = batchSize,
            IntraOpThreads = threads,
            GraphOptimizationLevel = optimization,
            ScoreThreshold = 0.5f,
            Device = device,
            GpuDeviceId = gpu,
            CpuFallback = false, // a GPU measurement that ran on the CPU would be no measurement
        };
        var pipeline = _ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
            .Append(_ml.Transforms.ApplyDetr(options))
            .Fit(ImageRows.Of(_ml, [samplePath]));
        _model = pipeline;
        var active = pipeline.LastTransformer.Model.ActiveDevice;
        if (active != device)
            throw new InvalidOperationException($"ApplyDetr asked for {device} runs on {active}; see the warning above.");
    }

    public string Name => _label is null ? $"ours-b{_batchSize}" : $"ours-{_label}-b{_batchSize}";

    public string Description => $"LoadImages → ApplyDetr (BatchSize {_batchSize}, {_device}), cursor over PredictedLabel/Score/PredictedBoundingBoxes";

    public long Score(IReadOnlyList<string> paths)
    {
        var scored = _model.Transform(ImageRows.Of(_ml, paths));
        var columns = new[] { scored.Schema["PredictedLabel"], scored.Schema["Score"], scored.Schema["PredictedBoundingBoxes"] };
        using var cursor = scored.GetRowCursor(columns);
        var labels = cursor.GetGetter<VBuffer<uint>>(columns[0]);
        var scores = cursor.GetGetter<VBuffer<float>>(columns[1]);
        var boxes = cursor.GetGetter<VBuffer<float>>(columns[2]);
        VBuffer<uint> labelValues = default;
        VBuffer<float> scoreValues = default, boxValues = default;
        long detections = 0;
        while (cursor.MoveNext())
        {
            labels(ref labelValues);
            scores(ref scoreValues);
            boxes(ref boxValues);
            detections += scoreValues.Length;
        }
        return detections;
    }

    public void Dispose() => (_model as IDisposable)?.Dispose();
}

/// <summary>The input rows of both ML.NET pipelines: one image path per row.</summary>
sealed class ImageRows
{
    public string ImagePath { get; set; } = "";

    public static IDataView Of(MLContext ml, IEnumerable<string> paths) =>
        ml.Data.LoadFromEnumerable(paths.Select(p => new ImageRows { ImagePath = p }).ToArray());
}
