using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// A DETR ONNX model (transformers layout) in ONNX Runtime with the settings every comparison uses, fed one fixed
/// batch: <c>pixel_values</c> and <c>pixel_mask</c> (1 on real pixels) made once from the benchmark's tensors.
/// </summary>
sealed class OrtDetrSession : IDisposable
{
    readonly InferenceSession _session;
    readonly RunOptions _runOptions = new();
    readonly OrtValue[] _inputs;

    /// <summary>A session; with <paramref name="profilePrefix"/> ONNX Runtime records every node's time (see <see cref="EndProfiling"/>).</summary>
    public OrtDetrSession(string modelPath, int threads, Tensor images, Tensor paddingMask, string? profilePrefix = null)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (profilePrefix is not null)
        {
            options.ProfileOutputPathPrefix = profilePrefix; // read when profiling is switched on, so set first
            options.EnableProfiling = true;
        }
        _session = new InferenceSession(modelPath, options);
        long[] shape = images.shape;
        using var pixelMask = paddingMask.logical_not().to(ScalarType.Int64).contiguous();
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(images.contiguous().data<float>().ToArray(), shape),
            OrtValue.CreateTensorValueFromMemory(pixelMask.data<long>().ToArray(), [shape[0], shape[2], shape[3]]),
        ];
    }

    /// <summary>One run; returns the logits [N,Q,C+1] as a tensor.</summary>
    public Tensor Run()
    {
        using var outputs = _session.Run(_runOptions, ["pixel_values", "pixel_mask"], _inputs, ["logits"]);
        return tensor(outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
    }

    /// <summary>Stops profiling; returns the path of ONNX Runtime's JSON trace.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose()
    {
        foreach (var input in _inputs)
            input.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
