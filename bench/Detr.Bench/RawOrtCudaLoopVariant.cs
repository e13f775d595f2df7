using Detr.MLNet.Scoring;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Detr.Bench;

/// <summary>
/// The engine's ceiling on a GPU: one <see cref="InferenceSession"/> on ONNX Runtime's CUDA provider and an
/// <see cref="OrtIoBinding"/> made once, whose inputs (a pre-made, already normalised [B,3,H,W] tensor and its mask)
/// sit in page-locked host memory from the session's CUDA pinned allocator and whose outputs are bound to the same
/// memory. Each call copies the inputs to the GPU, runs, and copies the outputs back: the transfers ApplyDetr also
/// makes, without its decoding, resizing, normalisation or post-processing.
/// </summary>
sealed class RawOrtCudaLoopVariant : IScoringVariant
{
    readonly InferenceSession _session;
    readonly OrtAllocator _pinned;
    readonly OrtValue _pixels;
    readonly OrtValue _mask;
    readonly OrtIoBinding _binding;
    readonly RunOptions _runOptions = new();
    readonly int _batch;
    readonly string _label;

    public RawOrtCudaLoopVariant(string modelPath, string label, int batch, int threads, GraphOptimizationLevel optimization,
        DetrExecutionDevice device, int gpu, string imagePath, int height, int width)
    {
        _batch = batch;
        _label = label;
        using var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = optimization };
        // No fallback here: a raw loop on the CPU would be no ceiling for a GPU pipeline. TensorRT as ApplyDetr gets it
        // (default settings, CUDA for the rest).
        if (device == DetrExecutionDevice.TensorRt)
            options.AppendExecutionProvider_Tensorrt(gpu);
        options.AppendExecutionProvider_CUDA(gpu);
        _session = new InferenceSession(modelPath, options);
        using var pinnedInfo = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, 0, OrtMemType.CpuOutput);
        _pinned = new OrtAllocator(_session, pinnedInfo);

        var (pixels, mask) = RawOrtLoopVariant.Input(imagePath, batch, height, width);
        _pixels = OrtValue.CreateAllocatedTensorValue(_pinned, TensorElementType.Float, [batch, 3, height, width]);
        pixels.CopyTo(_pixels.GetTensorMutableDataAsSpan<float>());
        _mask = OrtValue.CreateAllocatedTensorValue(_pinned, TensorElementType.Int64, [batch, height, width]);
        mask.CopyTo(_mask.GetTensorMutableDataAsSpan<long>());
        _binding = _session.CreateIoBinding();
        _binding.BindInput("pixel_values", _pixels);
        _binding.BindInput("pixel_mask", _mask);
        _binding.BindOutputToDevice("logits", _pinned.Info);
        _binding.BindOutputToDevice("pred_boxes", _pinned.Info);
    }

    public string Name => $"raw-{_label}-b{_batch}";

    public string Description => $"InferenceSession.RunWithBinding ({_label}), pinned [{_batch},3,800,1066] + mask bound once, outputs to pinned memory (no pre/post-processing)";

    /// <summary>Runs the bound batch once per <c>B</c> paths (rounded up); the paths themselves are not read.</summary>
    public long Score(IReadOnlyList<string> paths)
    {
        for (int i = 0; i < paths.Count; i += _batch)
        {
            _session.RunWithBinding(_runOptions, _binding);
            _binding.SynchronizeBoundOutputs();
            using var outputs = _binding.GetOutputValues();
            _ = outputs[0].GetTensorDataAsSpan<float>()[0];
        }
        return -1; // no post-processing, so no detections to count
    }

    public void Dispose()
    {
        _binding.Dispose();
        _pixels.Dispose();
        _mask.Dispose();
        _pinned.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
