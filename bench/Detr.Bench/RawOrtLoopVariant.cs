using Detr.MLNet.Imaging;
using Detr.MLNet.Preprocessing;
using Detr.MLNet.Scoring;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Detr.Bench;

/// <summary>
/// (a) The engine's ceiling: one <see cref="InferenceSession"/> and a pre-made, already normalised [B,3,H,W] tensor plus
/// its mask, run once per B images with <see cref="OrtValue"/> inputs. No decoding, resizing or post-processing.
/// B = 1 is the reference for ApplyDetr at BatchSize 1; B = 2 shows what batching costs or saves inside ONNX Runtime itself.
/// </summary>
sealed class RawOrtLoopVariant : IScoringVariant
{
    readonly InferenceSession _session;
    readonly RunOptions _runOptions = new();
    readonly OrtValue[] _inputs;
    readonly string[] _inputNames = ["pixel_values", "pixel_mask"];
    readonly string[] _outputNames = ["logits", "pred_boxes"];
    readonly int _batch;

    public RawOrtLoopVariant(string modelPath, int batch, int threads, GraphOptimizationLevel optimization, string imagePath, int height, int width)
    {
        _batch = batch;
        using var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = optimization };
        _session = new InferenceSession(modelPath, options);

        var (pixels, mask) = Input(imagePath, batch, height, width);
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(pixels, [batch, 3, height, width]),
            OrtValue.CreateTensorValueFromMemory(mask, [batch, height, width]),
        ];
    }

    public string Name => _batch == 1 ? "raw" : $"raw-b{_batch}";

    /// <summary>
    /// A real preprocessed image (the numbers the library would feed) repeated <paramref name="batch"/> times, and an
    /// all-ones mask: made once, outside any timed loop.
    /// </summary>
    public static (float[] Pixels, long[] Mask) Input(string imagePath, int batch, int height, int width)
    {
        using var decoded = MLImage.CreateFromFile(imagePath);
        var rgb = RgbImage.FromMLImage(decoded);
        var resized = new byte[height * width * 3];
        PillowBilinearResize.Resize(rgb.Pixels, rgb.Width, rgb.Height, resized, width, height);
        int plane = 3 * height * width;
        var pixels = new float[batch * plane];
        for (int b = 0; b < batch; b++)
            ImageNetNormalization.ImageNet.WritePlanar(resized, width, height, pixels.AsSpan(b * plane, plane), height, width);
        var mask = new long[batch * height * width];
        Array.Fill(mask, 1L);
        return (pixels, mask);
    }

    public string Description => $"InferenceSession.Run on a pre-made OrtValue tensor [{_batch},3,800,1066] + mask (no pre/post-processing)";

    /// <summary>Runs the pre-made batch once per <c>B</c> paths (rounded up); the paths themselves are not read.</summary>
    public long Score(IReadOnlyList<string> paths)
    {
        for (int i = 0; i < paths.Count; i += _batch)
        {
            using var outputs = _session.Run(_runOptions, _inputNames, _inputs, _outputNames);
            _ = outputs[0].GetTensorDataAsSpan<float>()[0];
        }
        return -1; // no post-processing, so no detections to count
    }

    public void Dispose()
    {
        foreach (var input in _inputs)
            input.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
