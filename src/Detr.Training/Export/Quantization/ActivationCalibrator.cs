using Detr.MLNet.Imaging;
using Detr.MLNet.Scoring;
using Detr.Training.Export.Onnx;
using Google.Protobuf;

namespace Detr.Training.Export.Quantization;

/// <summary>
/// Measures activations of the float32 model on calibration images: the values to calibrate become extra graph
/// outputs, and each image goes through Detr.MLNet's scorer (<see cref="DetrBatchScorer.RunOutputs"/>), so it is
/// decoded, resized (the model's own metadata) and normalised exactly as scoring will do it. One image per run, so
/// no padding enters the statistics.
/// </summary>
static class ActivationCalibrator
{
    /// <summary>What each of <paramref name="values"/> took over the images of <paramref name="options"/>.</summary>
    public static IReadOnlyDictionary<string, ActivationHistogram> Measure(ModelProto floatModel, IReadOnlyList<string> values,
        DetrQuantizationOptions options, Action<string>? progress = null)
    {
        var measured = new ModelProto(floatModel);
        foreach (string value in values)
            measured.Graph.Output.Add(new ValueInfoProto
            {
                Name = value,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        bool histograms = options.Method != DetrCalibrationMethod.MinMax;
        var collected = values.ToDictionary(v => v, _ => new ActivationHistogram(histograms));
        using var model = DetrScoringModel.Open(new DetrScoringOptions
        {
            ModelBytes = measured.ToByteArray(), IntraOpThreads = options.IntraOpThreads, MaxImagePixels = options.MaxImagePixels,
        });
        var scorer = model.CreateScorer();
        for (int i = 0; i < options.CalibrationImages.Count; i++)
        {
            string path = options.CalibrationImages[i];
            RgbImage image;
            try
            {
                image = RgbImage.DecodeUnpremultiplied(path, options.MaxImagePixels)
                    ?? throw new InvalidDataException("not an image SkiaSharp can decode");
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"Calibration image '{path}' cannot be read: {e.Message.TrimEnd('.')}.", e);
            }
            scorer.RunOutputs([image], values, (name, output) => collected[name].Add(output.GetTensorDataAsSpan<float>()));
            progress?.Invoke($"calibrated on {i + 1}/{options.CalibrationImages.Count} images");
        }
        return collected;
    }
}
