using Microsoft.ML.OnnxRuntime;

namespace Detr.Bench;

/// <summary>
/// One ONNX model in its own session (ORT_ENABLE_ALL, fixed intra-op threads) run on a fixed, already preprocessed
/// [1,3,H,W] input and all-ones mask: the engine's time alone, the same input for every model compared.
/// </summary>
sealed class RawOnnxRun : IDisposable
{
    readonly InferenceSession _session;
    readonly OrtValue _pixels;
    readonly OrtValue _mask;

    public RawOnnxRun(string path, int threads, float[] pixels, long[] mask, int height, int width)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads };
        _session = new InferenceSession(path, options);
        _pixels = OrtValue.CreateTensorValueFromMemory(pixels, [1, 3, height, width]);
        _mask = OrtValue.CreateTensorValueFromMemory(mask, [1, height, width]);
    }

    public void Run()
    {
        using var outputs = Outputs();
    }

    /// <summary>The logits of one run.</summary>
    public float[] Logits()
    {
        using var outputs = Outputs();
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public float LargestLogit() => Logits().Max(Math.Abs);

    public float MaxLogitDifference(RawOnnxRun other) => Logits().Zip(other.Logits(), (a, b) => Math.Abs(a - b)).Max();

    IDisposableReadOnlyCollection<OrtValue> Outputs()
    {
        using var runOptions = new RunOptions();
        return _session.Run(runOptions, ["pixel_values", "pixel_mask"], [_pixels, _mask], ["logits", "pred_boxes"]);
    }

    public void Dispose()
    {
        _pixels.Dispose();
        _mask.Dispose();
        _session.Dispose();
    }
}
