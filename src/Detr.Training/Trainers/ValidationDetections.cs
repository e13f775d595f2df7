using Detr.MLNet.Evaluation;
using Detr.MLNet.Postprocessing;
using Detr.Training.Augmentation;
using Detr.Training.Modeling;
using static TorchSharp.torch;

namespace Detr.Training.Trainers;

/// <summary>
/// Collects a validation pass's ground truth and decoded detections (the scorer's post-processing, every query kept)
/// in original-image pixels, then scores them with the COCO evaluator. Image ids are the validation order, category
/// ids are class index + 1, ground-truth areas are box areas.
/// </summary>
sealed class ValidationDetections(int numClasses, ClassificationKind classification)
{
    readonly List<CocoGroundTruthBox> _groundTruth = [];
    readonly List<CocoDetection> _detections = [];
    int _images;

    /// <summary>Adds one batch: <paramref name="originals"/> are the un-resized samples, in batch order.</summary>
    public void Add(DetrOutputs outputs, IReadOnlyList<DetectionSample> originals)
    {
        int queries = (int)outputs.Logits.shape[1], columns = (int)outputs.Logits.shape[2];
        var logits = outputs.Logits.detach().cpu().to_type(ScalarType.Float32).data<float>().ToArray();
        var boxes = outputs.Boxes.detach().cpu().to_type(ScalarType.Float32).data<float>().ToArray();
        for (int b = 0; b < originals.Count; b++)
        {
            int imageId = ++_images;
            var sample = originals[b];
            for (int i = 0; i < sample.Count; i++)
                _groundTruth.Add(CocoGroundTruthBox.FromXyxy(imageId, sample.Labels[i] + 1, sample.Boxes, i));
            var imageLogits = logits.AsSpan(b * queries * columns, queries * columns);
            var imageBoxes = boxes.AsSpan(b * queries * 4, queries * 4);
            var found = classification == ClassificationKind.Sigmoid
                ? DetrSigmoidPostprocessor.Decode(imageLogits, imageBoxes, queries, columns, sample.Image.Width, sample.Image.Height, scoreThreshold: 0, maxDetections: 100)
                : DetrPostprocessor.Decode(imageLogits, imageBoxes, queries, columns, sample.Image.Width, sample.Image.Height, scoreThreshold: 0, maxDetections: 100);
            for (int d = 0; d < found.Scores.Length; d++)
                _detections.Add(CocoDetection.FromXyxy(imageId, found.ClassIds[d] + 1, found.Boxes, d, found.Scores[d]));
        }
    }

    /// <summary>COCO metrics over every image added so far.</summary>
    public CocoMetrics Evaluate() => new CocoEvaluator().Evaluate(_groundTruth, _detections,
        Enumerable.Range(1, _images).ToArray(), Enumerable.Range(1, numClasses).ToArray());
}
